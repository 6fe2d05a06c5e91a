// Discord message ids (snowflakes) on replicas sharing one PostgreSQL store (issue 26): senders
// edit and delete by id, so two replicas must never mint the same one. A snowflake's worker bits
// (12-21) are each process's own: taken from the store's counter of starts, not at random.
import { afterEach, describe, expect, test } from "bun:test";
import { type FakeGateway, fakeGateway } from "../../helpers/fake-gateway.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";

const HOOK = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const ROUTES = `
routes:
  - { preset: discord, path: ${HOOK}, to: bob@localhost }
`;

const databases = usePostgresDatabases("discord_ids");
const gateways: FakeGateway[] = [];
afterEach(async () => {
  for (const gw of gateways.splice(0)) await gw.stop();
});

async function workerOf(gw: FakeGateway): Promise<bigint> {
  const res = await gw.request(`${HOOK}?wait=true`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content: "disk full" }),
  });
  expect(res.status).toBe(200);
  return (BigInt(((await res.json()) as { id: string }).id) >> 12n) & 0x3ffn;
}

describe("discord ids on replicas sharing one PostgreSQL store", () => {
  test("each replica mints snowflakes under a worker of its own, counted by the store", async () => {
    const url = await databases.fresh();
    for (let i = 0; i < 3; i++) gateways.push(await fakeGateway(ROUTES, { store: url }));
    const workers = await Promise.all(gateways.map(workerOf));
    expect(workers).toEqual([1n, 2n, 3n]);
    // Its next ids keep it: the worker is taken once per process.
    expect(await workerOf(gateways[0] as FakeGateway)).toBe(1n);
  });
});
