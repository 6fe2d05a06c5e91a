// Gotify message ids on replicas sharing one PostgreSQL store (issue 26): senders delete by id,
// so an id is never handed out twice, whichever replica a request reaches. The id comes from the
// store in one statement (KeyedRows.increment), not from a replica's in-memory copy of the counter.
// A DELETE withdraws a message only from the replica that sent it: XEP-0424 has clients honour a
// retraction from the original sender alone, and each replica is its own component domain.
import { afterEach, describe, expect, test } from "bun:test";
import { type FakeGateway, fakeGateway } from "../../helpers/fake-gateway.ts";
import { GOTIFY_ROUTES as ROUTES, GOTIFY_TOKEN as TOKEN } from "../../helpers/gotify-routes.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";

const databases = usePostgresDatabases("gotify_ids");
const gateways: FakeGateway[] = [];
afterEach(async () => {
  for (const gw of gateways.splice(0)) await gw.stop();
});

async function post(gw: FakeGateway, text: string): Promise<number> {
  const res = await gw.request("/message", {
    method: "POST",
    headers: { "content-type": "application/json", "x-gotify-key": TOKEN },
    body: JSON.stringify({ message: text }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: number }).id;
}

describe("gotify ids on replicas sharing one PostgreSQL store", () => {
  test("two replicas posting at once hand out distinct ids, counting on from what both gave", async () => {
    const url = await databases.fresh();
    for (let i = 0; i < 2; i++) gateways.push(await fakeGateway(ROUTES, { store: url }));
    const [a, b] = gateways as [FakeGateway, FakeGateway];
    const posts: Promise<number>[] = [];
    for (let i = 0; i < 20; i++) posts.push(post(a, `a${i}`), post(b, `b${i}`));
    const ids = await Promise.all(posts);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids.map((_, i) => i + 1));
    // A replica started later counts on from there.
    gateways.push(await fakeGateway(ROUTES, { store: url }));
    expect(await post(gateways[2] as FakeGateway, "c")).toBe(ids.length + 1);
  });

  test("DELETE through another replica (another domain) sends no retraction clients would ignore; through the sender it retracts", async () => {
    const url = await databases.fresh();
    const [a, b] = [
      await fakeGateway(ROUTES, { store: url, component: "r1.localhost" }),
      await fakeGateway(ROUTES, { store: url, component: "r2.localhost" }),
    ];
    gateways.push(a, b);
    const del = (gw: FakeGateway, id: number) => gw.request(`/message/${id}`, { method: "DELETE", headers: { "x-gotify-key": TOKEN } });
    const retractions = (gw: FakeGateway) => gw.stanzas().filter((s) => s.getChild("retract", "urn:xmpp:message-retract:1"));
    const first = await post(a, "sent by r1");
    expect((await del(b, first)).status).toBe(200);
    expect(retractions(b)).toEqual([]);
    expect(await (await b.request("/metrics")).text()).toContain("stanzagate_gotify_retractions_skipped_total 1");
    // The id is gone everywhere: the message cannot be withdrawn twice.
    expect((await del(a, first)).status).toBe(404);
    const second = await post(a, "sent by r1 again");
    expect((await del(a, second)).status).toBe(200);
    const [retraction] = retractions(a);
    expect(retraction?.attrs.from).toBe("r1.localhost");
  });
});
