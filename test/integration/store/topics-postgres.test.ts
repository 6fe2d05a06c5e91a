// ntfy topics on replicas sharing one PostgreSQL store (issue 26 §2): a subscriber on one replica
// gets what is published on another, once (LISTEN/NOTIFY, store/postgres/fanout.ts), and a stream
// that opens with since=all while another replica publishes gets every message exactly once: the
// replay and the live events meet without a gap or a repeat (topics/topics.ts `cached`).
import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { waitFor } from "../../../testbed/timeouts.ts";
import { type FakeGateway, fakeGateway } from "../../helpers/fake-gateway.ts";
import { LineReader, type NtfyEvent } from "../../helpers/ntfy-streams.ts";
import { BEARER, SUBSCRIBE_ROUTES } from "../../helpers/ntfy-subscribe-routes.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";
import { postgresStore } from "../../../src/store/postgres/index.ts";
import type { Store } from "../../../src/store/types.ts";

const databases = usePostgresDatabases("topics");
const gateways: FakeGateway[] = [];
afterEach(async () => {
  for (const gw of gateways.splice(0)) await gw.stop();
});

/** `count` gateways on one fresh database, each listening to the others (seen in pg_stat_activity). */
async function replicas(count: number): Promise<FakeGateway[]> {
  const url = await databases.fresh();
  for (let i = 0; i < count; i++) gateways.push(await fakeGateway(SUBSCRIBE_ROUTES, { store: url }));
  const admin = new SQL(url);
  const listening = async () =>
    (await admin`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`)[0].n;
  await waitFor(async () => (await listening()) === count, 15_000, `${count} replicas to listen`);
  await admin.close();
  return [...gateways];
}

async function publish(gw: FakeGateway, topic: string, message: string): Promise<NtfyEvent> {
  const res = await gw.request(`/${topic}`, { method: "POST", headers: BEARER.writer, body: message });
  expect(res.status).toBe(200);
  return (await res.json()) as NtfyEvent;
}

/** A JSON stream of `topic` on `gw` (`since` as ntfy takes it), once its `open` line came. */
async function subscribe(gw: FakeGateway, topic: string, since?: string): Promise<LineReader> {
  const res = await gw.request(`/${topic}/json${since ? `?since=${since}` : ""}`, { headers: BEARER.reader });
  expect(res.status).toBe(200);
  // Ended by the gateway's stop (its subscribers are closed as it shuts down).
  const reader = new LineReader(res.body as ReadableStream<Uint8Array>);
  expect((await reader.nextEvent()).event).toBe("open");
  return reader;
}

describe("topics across replicas sharing one PostgreSQL store", () => {
  test("what one replica publishes reaches the subscribers of the others, and its own, once each", async () => {
    const [a, b, c] = await replicas(3);
    const onA = await subscribe(a!, "alerts");
    const onC = await subscribe(c!, "alerts");
    const fromB = await publish(b!, "alerts", "from b");
    const fromA = await publish(a!, "alerts", "from a");
    for (const stream of [onA, onC]) {
      expect(await stream.nextOf("message")).toMatchObject({ id: fromB.id, message: "from b" });
      expect(await stream.nextOf("message")).toMatchObject({ id: fromA.id, message: "from a" });
    }
  });

  test("streams opened with since=all while another replica publishes get every message exactly once, in order", async () => {
    const [a, b] = await replicas(2);
    const published: string[] = [];
    const streams: Promise<LineReader>[] = [];
    for (let i = 0; i < 60; i++) {
      published.push((await publish(b!, "backups", `m${i}`)).id);
      // Streams open while the publishing goes on: their replay reads overlap new events.
      if (i % 12 === 5) streams.push(subscribe(a!, "backups", "all"));
    }
    for (const stream of await Promise.all(streams)) {
      const seen: string[] = [];
      while (seen.length < published.length) seen.push((await stream.nextOf("message")).id);
      expect(seen).toEqual(published);
    }
  });
});

describe("an event too large to ride in its notification", () => {
  test("is read by its id and still handed before the next one, in the order published", async () => {
    const url = await databases.fresh();
    const [a, b] = [
      await postgresStore(url, { replica: "a.gw.localhost", max: 2 }),
      await postgresStore(url, { replica: "b.gw.localhost", max: 2 }),
    ];
    const heardByB: string[] = [];
    await b.fanout.listen((json) => heardByB.push((JSON.parse(json) as { id: string }).id));
    const events = [
      ["large", "x".repeat(9_000)],
      ["small", "y"],
    ].map(([id = "", message]) => ({ id, json: JSON.stringify({ id, topic: "alerts", message }) }));
    for (const { id, json } of events)
      await a.topics.put({ id, topic: "alerts", time: 1, expires: 4_000_000_000, json }, { maxRows: 100, maxBytes: 1_000_000 });
    // Announced back to back, as a busy publisher does: the small one's NOTIFY follows the large one's at once.
    await Promise.all(events.map(({ id, json }) => a.fanout.announce(id, json)));
    await waitFor(() => heardByB.length === 2, 5_000, "b to hear both events");
    expect(heardByB).toEqual(["large", "small"]);
    await a.close();
    await b.close();
  });
});

describe("a replica whose listener dropped", () => {
  test("catches up with what others published meanwhile, once each, without its own events again", async () => {
    const url = await databases.fresh();
    const name = new URL(url).pathname.slice(1);
    const [a, b] = [
      await postgresStore(url, { replica: "a.gw.localhost", max: 2 }),
      await postgresStore(url, { replica: "b.gw.localhost", max: 2 }),
    ];
    const heardByB: string[] = [];
    await b.fanout.listen((json) => heardByB.push((JSON.parse(json) as { id: string }).id));
    const publish = async (store: Store, id: string) => {
      const event = { id, topic: "alerts", time: 1, expires: 4_000_000_000, json: JSON.stringify({ id, topic: "alerts" }) };
      await store.topics.put(event, { maxRows: 100, maxBytes: 1_000_000 });
      await store.fanout.announce(id, event.json);
    };
    await publish(a, "before");
    await waitFor(() => heardByB.includes("before"), 5_000, "b to hear a's first event");
    // No new connection to the database (b's listener cannot come back), and the listeners cut;
    // each store's pool keeps the connection it already has.
    const admin = new SQL(databases.server().url);
    await admin.unsafe(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name} AND query ILIKE 'LISTEN%'`;
    await publish(a, "during");
    await publish(b, "b-own");
    await admin.unsafe(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await admin.close();
    await waitFor(() => heardByB.includes("during"), 20_000, "b to catch up once its listener is back");
    await publish(a, "after");
    await waitFor(() => heardByB.includes("after"), 5_000, "b to hear a's next event live");
    expect(heardByB).toEqual(["before", "during", "after"]);
    await a.close();
    await b.close();
  });
});
