// The store's specification (test/helpers/store-conformance.ts) against PostgreSQL: the test
// bed's own server (testbed/postgres.ts), a fresh database per test. Then what only a store that
// replicas share must do: rows claimed by one replica are not handed to another until the claim
// lapses (a drain renews it), and each acks only what it claimed (issue 26 §2).
import { describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { silentLogger } from "../../../src/log.ts";
import { createOutbox } from "../../../src/store/outbox.ts";
import { postgresStore } from "../../../src/store/postgres/index.ts";
import { createStoreHealth } from "../../../src/store/store-health.ts";
import type { Store } from "../../../src/store/types.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { Delivery } from "../../../src/xmpp/delivery.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";
import { describeStore } from "../../helpers/store-conformance.ts";

const databases = usePostgresDatabases("spec");
const freshDatabase = () => databases.fresh();

describeStore("PostgreSQL", async () => postgresStore(await freshDatabase(), { replica: "gw.localhost", max: 2 }));

describe("PostgreSQL: replicas sharing the outbox", () => {
  const stanzas = async (store: Store, after = 0) => (await store.outbox.peekAfter(after, 10)).map((r) => r.stanza);

  test("rows one replica holds are skipped by another; each acks only its own; a lapsed claim is taken over", async () => {
    const url = await freshDatabase();
    const a = await postgresStore(url, { replica: "a.gw.localhost", max: 2, leaseMs: 60_000 });
    const b = await postgresStore(url, { replica: "b.gw.localhost", max: 2, leaseMs: 60_000 });
    for (const s of ["<1/>", "<2/>", "<3/>"]) await a.outbox.push(s);
    const held = await a.outbox.peekAfter(0, 2);
    expect(held.map((r) => r.stanza)).toEqual(["<1/>", "<2/>"]);
    expect(await stanzas(b)).toEqual(["<3/>"]);
    await b.outbox.ack(held[1]?.seq ?? 0); // b never held 1 and 2: they stay
    expect(await stanzas(a)).toEqual(["<1/>", "<2/>"]);
    const claims = new SQL(url);
    const rows = await claims`SELECT stanza, claimed_by FROM outbox ORDER BY seq`;
    expect(rows.map((r: { claimed_by: string }) => r.claimed_by)).toEqual(["a.gw.localhost", "a.gw.localhost", "b.gw.localhost"]);
    // a dies holding 1 and 2: once its claim is older than the lease, b sends them.
    await claims`UPDATE outbox SET claimed_at = claimed_at - 120000 WHERE claimed_by = 'a.gw.localhost'`;
    expect(await stanzas(b)).toEqual(["<1/>", "<2/>", "<3/>"]);
    await b.outbox.ack(held[1]?.seq ?? 0);
    expect(await stanzas(b)).toEqual(["<3/>"]);
    await claims.close();
    await Promise.all([a.close(), b.close()]);
  });

  test("a replica's drain keeps its rows past the lease while a confirmation is slow; cut off, another takes them after the lease", async () => {
    const url = await freshDatabase();
    const leaseMs = 1_500;
    const a = await postgresStore(url, { replica: "a.gw.localhost", max: 2, leaseMs });
    const b = await postgresStore(url, { replica: "b.gw.localhost", max: 2, leaseMs });
    for (const s of ["<1/>", "<2/>"]) await a.outbox.push(s);
    const claims = new SQL(url);
    const claimedAt = async () => Number((await claims`SELECT min(claimed_at) AS at FROM outbox`)[0].at);
    const claimedBy = async () =>
      (await claims`SELECT claimed_by FROM outbox ORDER BY seq`).map((r: { claimed_by: string }) => r.claimed_by);
    // a sends both rows, then waits for a confirmation that does not come (a stalled server).
    const confirmation = Promise.withResolvers<void>();
    const a1 = drainer(a, () => confirmation.promise);
    const drained = a1.drain();
    await waitFor(() => a1.sent.length === 2, 10_000, "a to send its rows");
    const first = await claimedAt();
    await waitFor(async () => (await claimedAt()) > first + leaseMs, 20_000, "a to renew its claims past the lease");
    expect(await stanzas(b)).toEqual([]);
    expect(await claimedBy()).toEqual(["a.gw.localhost", "a.gw.localhost"]);
    // a's link drops: the drain ends unconfirmed and a renews nothing more; b sends the rows once the lease passes.
    Object.assign(a1.link, { status: "offline", settled: false });
    confirmation.reject(new Error("the stream closed"));
    await drained;
    expect(await waitFor(async () => (await stanzas(b)).length > 0, 20_000, "b to take the lapsed claims")).toBe(true);
    expect(await stanzas(b)).toEqual(["<1/>", "<2/>"]);
    expect(await claimedBy()).toEqual(["b.gw.localhost", "b.gw.localhost"]);
    await claims.close();
    await Promise.all([a.close(), b.close()]);
  });

  test("two replicas draining one outbox at once send every row once between them, in order each", async () => {
    const url = await freshDatabase();
    const a = await postgresStore(url, { replica: "a.gw.localhost", max: 4 });
    const b = await postgresStore(url, { replica: "b.gw.localhost", max: 4 });
    for (let n = 1; n <= 300; n++) await a.outbox.push(`<message id="${n}"/>`);
    const [sentA, sentB] = await Promise.all([drainer(a).drain(), drainer(b).drain()]);
    const ids = (sent: string[]) => sent.map((s) => Number(s.match(/id="(\d+)"/)?.[1]));
    expect([...ids(sentA), ...ids(sentB)].sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    for (const sent of [ids(sentA), ids(sentB)]) expect(sent).toEqual([...sent].sort((x, y) => x - y));
    expect(await a.outbox.peekAfter(0, 10)).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  test("a row queued by one replica is sent by another from its own address (a server takes only its own domain)", async () => {
    const url = await freshDatabase();
    const a = await postgresStore(url, { replica: "a.gw.localhost", max: 2 });
    const b = await postgresStore(url, { replica: "b.gw.localhost", max: 2 });
    await a.outbox.push('<message from="a.gw.localhost" to="bob@localhost"><body>from="a.gw.localhost"</body></message>');
    await a.outbox.push('<message from="house@a.gw.localhost/bot" to="bob@localhost"/>');
    await a.outbox.push('<message from="elsewhere.localhost" to="bob@localhost"/>');
    expect(await stanzas(b)).toEqual([
      '<message from="b.gw.localhost" to="bob@localhost"><body>from="a.gw.localhost"</body></message>',
      '<message from="house@b.gw.localhost/bot" to="bob@localhost"/>',
      '<message from="elsewhere.localhost" to="bob@localhost"/>',
    ]);
    await Promise.all([a.close(), b.close()]);
  });

  test("a dead letter retried (one store copy moved, or another replica's) is sent by any replica from its own address", async () => {
    const url = await freshDatabase();
    const a = await postgresStore(url, { replica: "a.gw.localhost", max: 2 });
    const b = await postgresStore(url, { replica: "b.gw.localhost", max: 2 });
    await a.outbox.bury(await a.outbox.push('<message from="a.gw.localhost" to="bob@localhost"/>'), "remote-server-timeout");
    expect(await b.dead.retry((await b.dead.list())[0]?.seq ?? 0)).toBe(true);
    expect(await stanzas(b)).toEqual(['<message from="b.gw.localhost" to="bob@localhost"/>']);
    await Promise.all([a.close(), b.close()]);
  });

  test("every replica sees the other's rows in its count, within a refresh", async () => {
    const url = await freshDatabase();
    const a = await postgresStore(url, { replica: "a.gw.localhost", max: 2 });
    const b = await postgresStore(url, { replica: "b.gw.localhost", max: 2 });
    expect(b.outbox.size()).toBe(0);
    await a.outbox.push("<1/>");
    expect(a.outbox.size()).toBe(1);
    // size() answers at once from what b last counted, and counts again at most once a second.
    expect(await waitFor(() => b.outbox.size() === 1, 5_000, "b to count a's row")).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });
});

/** A Delivery on `store` whose link is up and confirms at once (or when `confirm` resolves): what it sends, once drained. */
function drainer(store: Store, confirm: () => Promise<void> = async () => {}) {
  const sent: string[] = [];
  const link = { status: "online", settled: true, sendRaw: async (stanza: string) => void sent.push(stanza) };
  const outbox = createOutbox(store, 10_000, createStoreHealth(store, undefined, silentLogger));
  const delivery = new Delivery(link, outbox, { after: confirm }, silentLogger, {
    component: "gw.localhost",
    maxStanzaBytes: 10_000,
  });
  return { sent, link, drain: async () => (await delivery.drain(), sent) };
}
