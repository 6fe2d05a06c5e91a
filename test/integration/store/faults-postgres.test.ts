// A gateway whose PostgreSQL store goes away or stops answering (review of issue 26, findings 3, 4,
// 5, 6 and 7): /health says degraded with why while nothing writes; requests that need the store
// are answered 503 STORE_UNAVAILABLE with Retry-After in their format's shape (ntfy's for ntfy),
// within the bound of a store operation, and nothing is sent for a publish refused so.
import { afterEach, describe, expect, test } from "bun:test";
import { waitFor } from "../../../testbed/timeouts.ts";
import { type BlackholeRelay, blackholeRelay } from "../../helpers/blackhole-relay.ts";
import { type FakeGateway, fakeGateway } from "../../helpers/fake-gateway.ts";
import { GOTIFY_ROUTES, GOTIFY_TOKEN } from "../../helpers/gotify-routes.ts";
import { BEARER, SUBSCRIBE_ROUTES } from "../../helpers/ntfy-subscribe-routes.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";

const databases = usePostgresDatabases("faults");
let gw: FakeGateway | undefined;
let relay: BlackholeRelay | undefined;
let halted = false;
afterEach(async () => {
  // The next tests need the server, whatever failed here.
  if (halted) await databases.server().start();
  halted = false;
  relay?.restore();
  await gw?.stop();
  relay?.stop();
  gw = relay = undefined;
});

interface Health {
  status: string;
  store: { ok: boolean; error?: string };
}
const health = async (g: FakeGateway) => {
  const r = await g.request("/health");
  return { http: r.status, ...((await r.json()) as Health) };
};
const degraded = (g: FakeGateway) =>
  waitFor(async () => ((await health(g)).store.ok ? undefined : health(g)), 15_000, "/health to say the store is down");

/** ntfy's refusal of a store that cannot be used: 503, Retry-After, `{code: 50300, http: 503, error}`. */
async function expectNtfyStoreRefusal(r: Response): Promise<void> {
  expect([r.status, r.headers.get("retry-after")]).toEqual([503, "10"]);
  expect(await r.json()).toMatchObject({ code: 50300, http: 503, error: expect.stringContaining("store") });
}

describe("a PostgreSQL store that goes away", () => {
  test("/health is 503 degraded naming why while nothing writes; ntfy poll and publish are ntfy's 503, nothing sent", async () => {
    gw = await fakeGateway(SUBSCRIBE_ROUTES, { store: await databases.fresh() });
    expect((await health(gw)).store.ok).toBe(true);
    await databases.server().halt();
    halted = true;
    const down = await degraded(gw);
    expect([down.http, down.status, down.store.error]).toEqual([503, "degraded", expect.stringMatching(/^probing the store failed: /)]);
    await expectNtfyStoreRefusal(await gw.request("/alerts/json?poll=1&since=all", { headers: BEARER.reader }));
    const before = gw.stanzas().length;
    await expectNtfyStoreRefusal(await gw.request("/alerts", { method: "POST", headers: BEARER.writer, body: "during the outage" }));
    expect(gw.stanzas().length).toBe(before);
    await databases.server().start();
    halted = false;
    await waitFor(async () => (await health(gw as FakeGateway)).store.ok, 15_000, "the store to be reported ok again");
  });

  test("Gotify's POST is Gotify's 503 with Retry-After, and says the store, not a local one", async () => {
    gw = await fakeGateway(GOTIFY_ROUTES, { store: await databases.fresh() });
    await databases.server().halt();
    halted = true;
    const before = gw.stanzas().length;
    const r = await gw.request("/message", {
      method: "POST",
      headers: { "X-Gotify-Key": GOTIFY_TOKEN, "content-type": "application/json" },
      body: JSON.stringify({ message: "during the outage" }),
    });
    expect([r.status, r.headers.get("retry-after")]).toEqual([503, "10"]);
    const body = (await r.json()) as { errorCode: number; errorDescription: string };
    expect(body).toMatchObject({ error: "Service Unavailable", errorCode: 503 });
    expect(body.errorDescription).toStartWith("The store cannot be used now");
    expect(gw.stanzas().length).toBe(before);
  });
});

describe("a PostgreSQL host that stops answering (TCP up, nothing comes back)", () => {
  test("requests are answered 503 within the store's bound instead of waiting, and /health says it did not answer", async () => {
    relay = await blackholeRelay(databases.server().port);
    const url = (await databases.fresh()).replace(`:${databases.server().port}/`, `:${relay.port}/`);
    gw = await fakeGateway(SUBSCRIBE_ROUTES, { store: url });
    expect((await gw.request("/alerts/json?poll=1&since=all", { headers: BEARER.reader })).status).toBe(200);
    relay.swallow();
    await expectNtfyStoreRefusal(await gw.request("/alerts/json?poll=1&since=all", { headers: BEARER.reader }));
    const down = await degraded(gw);
    expect([down.http, down.store.error]).toEqual([503, expect.stringContaining("did not answer within 5 s")]);
    relay.restore();
    await waitFor(async () => (await health(gw as FakeGateway)).store.ok, 30_000, "the store to be reported ok again");
  });
});
