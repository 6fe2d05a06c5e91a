// A gateway behind a reverse proxy, over a real socket: with http.trusted_proxies the throttle and
// the request log see each sender's own address, so one misconfigured sender locks out only
// itself; without it (or from a peer that is not trusted) the forwarding header changes nothing.
import { afterEach, describe, expect, test } from "bun:test";
import { createGateway, type Gateway } from "../../src/app.ts";
import { createLogger } from "../../src/log.ts";
import { loadTestConfig } from "../helpers/gateway.ts";

const TOKEN = "scrape-token-0123456789";
let running: Gateway | undefined;

afterEach(async () => {
  await running?.stop({ flushTimeoutMs: 0 });
  running = undefined;
});

/** A listening gateway whose /metrics needs a bearer token, with at most 3 failures per window. */
async function gatewayWith(http: string) {
  const config = loadTestConfig(`
xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
http: { listen: "127.0.0.1:0", ${http} }
store: ":memory:"
auth_throttle: { max_failures: 3, window_s: 60 }
auth:
  scrapers: { kind: bearer, tokens: [{ token: ${TOKEN}, name: prometheus }] }
metrics: { auth: scrapers }
`);
  const logs: Array<Record<string, unknown>> = [];
  const gateway = await createGateway(config, { log: createLogger({ level: "debug", write: (l) => void logs.push(JSON.parse(l) as Record<string, unknown>) }) });
  running = gateway;
  const port = gateway.listen();
  const scrape = async (token: string, headers: Record<string, string>) => (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}`, ...headers } })).status;
  return { scrape, clients: () => logs.filter((l) => l.msg === "http request").map((l) => l.client) };
}

describe("behind a trusted reverse proxy", () => {
  test("one sender's failures throttle that sender only; the log shows each sender's address", async () => {
    const gw = await gatewayWith(`trusted_proxies: ["127.0.0.1", "::1"]`);
    const misconfigured = { "x-forwarded-for": "203.0.113.5" };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await gw.scrape("wrong-token-0123456789", misconfigured));
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(await gw.scrape(TOKEN, { "x-forwarded-for": "203.0.113.6" })).toBe(200);
    expect(gw.clients()).toEqual(["203.0.113.5", "203.0.113.5", "203.0.113.5", "203.0.113.5", "203.0.113.6"]);
  });

  test("a sender cannot escape its throttle by writing its own X-Forwarded-For: the hop the proxy appended counts", async () => {
    const gw = await gatewayWith(`trusted_proxies: ["127.0.0.0/8"]`);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await gw.scrape("wrong-token-0123456789", { "x-forwarded-for": `198.51.100.${i}, 203.0.113.5` }));
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  test("with client_address_header: Forwarded, the RFC 7239 header is read", async () => {
    const gw = await gatewayWith(`trusted_proxies: ["127.0.0.1"], client_address_header: Forwarded`);
    expect(await gw.scrape(TOKEN, { forwarded: 'for="[2001:db8::17]:4711";proto=https', "x-forwarded-for": "203.0.113.9" })).toBe(200);
    expect(gw.clients()).toEqual(["2001:db8::17"]);
  });
});

describe("without a trusted proxy", () => {
  test("the forwarding header is ignored: the TCP peer is the client, in the throttle and in the log", async () => {
    const gw = await gatewayWith(`trusted_proxies: ["10.0.0.1"]`);
    for (let i = 0; i < 3; i++) expect(await gw.scrape("wrong-token-0123456789", { "x-forwarded-for": `203.0.113.${i}` })).toBe(401);
    expect(await gw.scrape(TOKEN, { "x-forwarded-for": "203.0.113.99" })).toBe(429);
    expect(new Set(gw.clients())).toEqual(new Set(["127.0.0.1"]));
  });
});
