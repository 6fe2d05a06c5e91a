// One specification of the store (src/store/types.ts), run against each backend: SQLite in the
// unit tier (test/unit/store/), PostgreSQL in the integration tier (test/integration/store/).
// Here: the outbox, its dead letters, the outbox's bound, the keyed values and plugin migrations.
// The caches' part is store-conformance-caches.ts.
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import { createOutbox } from "../../src/store/outbox.ts";
import { migratePlugin, pluginStore } from "../../src/store/plugin-store.ts";
import { createStoreHealth } from "../../src/store/store-health.ts";
import type { Store } from "../../src/store/types.ts";
import { describeCaches } from "./store-conformance-caches.ts";

/** A fresh, empty, migrated store of the backend under test. */
export type OpenStore = () => Promise<Store>;

export function describeStore(backend: string, open: OpenStore): void {
  describe(`${backend}: the outbox`, () => describeOutbox(open));
  describe(`${backend}: the keyed values and plugin migrations`, () => describeKeyed(open));
  describeCaches(backend, open);
}

const seqs = async (store: Store) => (await store.outbox.peekAfter(0, 100)).map((r) => r.stanza);

function describeOutbox(open: OpenStore): void {
  test("keeps rows in the order they were queued; peekAfter pages through them", async () => {
    const store = await open();
    const [a, b, c] = [await store.outbox.push("<a/>"), await store.outbox.push("<b/>"), await store.outbox.push("<c/>")];
    expect(a < b && b < c).toBe(true);
    expect(await seqs(store)).toEqual(["<a/>", "<b/>", "<c/>"]);
    expect(await store.outbox.peekAfter(a, 1)).toEqual([{ seq: b, stanza: "<b/>", attempts: 0 }]);
    expect(store.outbox.size()).toBe(3);
    expect(await store.outbox.oldestQueuedAt()).toBeNumber();
    await store.close();
  });

  test("ack forgets every row handed out up to and including its seq", async () => {
    const store = await open();
    const a = await store.outbox.push("<a/>");
    const b = await store.outbox.push("<b/>");
    await store.outbox.push("<c/>");
    expect((await store.outbox.peekAfter(0, 2)).map((r) => r.seq)).toEqual([a, b]);
    await store.outbox.ack(b);
    expect(await seqs(store)).toEqual(["<c/>"]);
    expect(store.outbox.size()).toBe(1);
    await store.outbox.ack(a); // already gone: nothing changes
    expect(store.outbox.size()).toBe(1);
    await store.close();
  });

  test("an empty outbox has no oldest row", async () => {
    const store = await open();
    expect(await store.outbox.oldestQueuedAt()).toBeUndefined();
    expect(store.outbox.size()).toBe(0);
    await store.close();
  });

  test("fail counts attempts per row; bury moves a row to the dead letters with its reason and attempts", async () => {
    const store = await open();
    const a = await store.outbox.push("<a/>");
    await store.outbox.push("<b/>");
    expect([await store.outbox.fail(a, "first"), await store.outbox.fail(a, "second")]).toEqual([1, 2]);
    expect(await store.outbox.fail(9999, "no such row")).toBe(0);
    expect(await store.outbox.bury(a, "refused")).toBe(true);
    expect(await store.outbox.bury(a, "again")).toBe(false);
    expect(await seqs(store)).toEqual(["<b/>"]);
    expect([store.outbox.size(), store.outbox.dead(), await store.dead.count()]).toEqual([1, 1, 1]);
    expect(await store.dead.list()).toMatchObject([{ seq: a, stanza: "<a/>", attempts: 2, reason: "refused" }]);
    await store.close();
  });

  test("a dead letter retried goes to the end of the queue with a fresh count; a dropped one is gone", async () => {
    const store = await open();
    const a = await store.outbox.push("<a/>");
    const b = await store.outbox.push("<b/>");
    await store.outbox.fail(a, "x");
    await store.outbox.bury(a, "x");
    await store.outbox.bury(b, "y");
    await store.outbox.push("<c/>");
    expect(await store.dead.retry(a)).toBe(true);
    expect(await store.dead.retry(a)).toBe(false);
    expect(await store.dead.drop(b)).toBe(true);
    expect(await store.dead.drop(b)).toBe(false);
    expect((await store.outbox.peekAfter(0, 10)).map((r) => [r.stanza, r.attempts])).toEqual([
      ["<c/>", 0],
      ["<a/>", 0],
    ]);
    expect(await store.dead.list()).toEqual([]);
    await store.close();
  });

  test("the bound: reserve sets room aside, a reserved push takes it, release gives it back", async () => {
    const store = await open();
    const outbox = createOutbox(store, 3, createStoreHealth(store, undefined, silentLogger));
    expect(outbox.reserve(2)).toBe(true);
    expect(await outbox.push("<a/>")).toBeNumber();
    expect(outbox.reserve(1)).toBe(false);
    expect(await outbox.push("<b/>")).toBeUndefined(); // the 2 reserved places are not its to take
    expect(await outbox.push("<r1/>", true)).toBeNumber();
    outbox.release(1);
    expect(await outbox.push("<b/>")).toBeNumber();
    expect(await outbox.push("<c/>")).toBeUndefined();
    expect(outbox.size()).toBe(3);
    await store.close();
  });
}

function describeKeyed(open: OpenStore): void {
  test("values are kept per plugin and collection as JSON, and read back by the next store opened", async () => {
    const store = await open();
    const first = await pluginStore(store, "post_msg");
    first.keyed<{ n: number }>("a").set("k", { n: 1 });
    first.keyed<string>("b").set("k", "other collection");
    const other = await pluginStore(store, "roster_admin");
    other.keyed<number>("a").set("k", 7);
    first.keyed<string>("b").delete("k");
    await Promise.all([first.flushed(), other.flushed()]);
    const again = await pluginStore(store, "post_msg");
    expect(again.keyed<{ n: number }>("a").get("k")).toEqual({ n: 1 });
    expect(again.keyed<string>("b").get("k")).toBeUndefined();
    expect((await pluginStore(store, "roster_admin")).keyed<number>("a").get("k")).toBe(7);
    await store.close();
  });

  test("increment counts on from the integer kept at its key (from 0 when absent), each caller given its own", async () => {
    const store = await open();
    const at = { plugin: "(gotify)", collection: "message-ids", key: "last" };
    expect(await store.keyed.increment(at)).toBe(1);
    // The counter as an older version kept it: a keyed value written through the plugin store.
    const older = await pluginStore(store, "(gotify)");
    older.keyed<number>("message-ids").set("last", 41);
    await older.flushed();
    const given = await Promise.all(Array.from({ length: 10 }, () => store.keyed.increment(at)));
    expect([...given].sort((a, b) => a - b)).toEqual([42, 43, 44, 45, 46, 47, 48, 49, 50, 51]);
    expect((await store.keyed.read(at))?.json).toBe("51");
    await store.close();
  });

  test("put writes or deletes in call order, a later write of a key with a rev no smaller; read gives what is held", async () => {
    const store = await open();
    const at = { plugin: "p", collection: "c", key: "k" };
    const [first, second] = await Promise.all([store.keyed.put(at, '"one"'), store.keyed.put(at, '"two"')]);
    expect(second).toBeGreaterThanOrEqual(first);
    expect(await store.keyed.read(at)).toEqual({ json: '"two"', rev: second });
    await store.keyed.put(at, undefined);
    expect(await store.keyed.read(at)).toBeUndefined();
    await store.close();
  });

  test("each migration runs once, in order, its writes committed with its version", async () => {
    const store = await open();
    const runs: number[] = [];
    const migrations = [
      (s: Parameters<Parameters<typeof migratePlugin>[2][number]>[0]) => {
        runs.push(1);
        s.keyed<string>("c").set("k", "one");
      },
      (s: Parameters<Parameters<typeof migratePlugin>[2][number]>[0]) => {
        runs.push(2);
        s.keyed<string>("c").set("k", `${s.keyed<string>("c").get("k")} two`);
      },
    ];
    await migratePlugin(store, "p", migrations.slice(0, 1));
    await migratePlugin(store, "p", migrations);
    await migratePlugin(store, "p", migrations);
    expect(runs).toEqual([1, 2]);
    expect(await store.keyed.version("p")).toBe(2);
    expect((await pluginStore(store, "p")).keyed<string>("c").get("k")).toBe("one two");
    await store.close();
  });

  test("a migration that throws leaves nothing of itself, and its version is not counted", async () => {
    const store = await open();
    const failing = (s: Parameters<Parameters<typeof migratePlugin>[2][number]>[0]) => {
      s.keyed<string>("c").set("half", "done");
      throw new Error("broken migration");
    };
    await expect(migratePlugin(store, "p", [failing])).rejects.toThrow("broken migration");
    expect(await store.keyed.version("p")).toBe(0);
    expect(await store.keyed.all("p")).toEqual([]);
    await expect(migratePlugin(store, "p", [(s) => s.drop("other_table")])).rejects.toThrow("p may only migrate its own tables");
    await store.close();
  });
}
