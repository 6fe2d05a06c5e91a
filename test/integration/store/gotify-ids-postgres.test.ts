// Gotify message ids on replicas sharing one PostgreSQL store (issue 26): senders delete by id,
// so an id is never handed out twice, whichever replica a request reaches. The id comes from the
// store in one statement (KeyedRows.increment), not from a replica's in-memory copy of the counter.
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
});
