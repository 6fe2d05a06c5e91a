// A gateway behind a reverse proxy, over a real socket: with http.trusted_proxies the throttle and
// the request log see each sender's own address, so one misconfigured sender locks out only
// itself; without it (or from a peer that is not trusted) the forwarding header changes nothing.
import { afterEach, describe, expect, test } from "bun:test";
import type { Gateway } from "../../src/app.ts";
import { guardedMetrics, SCRAPE_TOKEN as TOKEN } from "../helpers/guarded-metrics.ts";

let running: Gateway | undefined;

afterEach(async () => {
  await running?.stop({ flushTimeoutMs: 0 });
  running = undefined;
});

/** The gateway of guarded-metrics.ts, and a scrape of it with a token and headers; the status. */
async function gatewayWith(http: string) {
  const { gateway, port, clients } = await guardedMetrics(http);
  running = gateway;
  const scrape = async (token: string, headers: Record<string, string>) =>
    (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}`, ...headers } })).status;
  return { scrape, clients };
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
    for (let i = 0; i < 4; i++)
      statuses.push(await gw.scrape("wrong-token-0123456789", { "x-forwarded-for": `198.51.100.${i}, 203.0.113.5` }));
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
