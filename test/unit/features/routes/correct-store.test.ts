// Where `correct:` remembers its threads: a key is stored as its hash, whatever its size; each
// route keeps at most max_threads, the oldest forgotten first, and a thread expires after ttl_s;
// a store written before this table existed keeps its threads; a full store is reported.
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openStore } from "../../../../src/store/db.ts";
import { sqliteStore } from "../../../../src/store/sqlite/index.ts";
import { correctThreads, slotOf } from "../../../../src/store/threads.ts";
import { loadConfig } from "../../../../src/features/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { FAKE_HEAD, fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";

const ROUTE = "POST /alert";
/** Schema version 8: the store as the releases before `correct_threads` wrote it. */
const OLD_SCHEMA = 8;

let dirs: string[] = [];
let gw: FakeGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const storeFile = () => {
  const dir = mkdtempSync(join(tmpdir(), "sg-correct-"));
  dirs.push(dir);
  return join(dir, "s.db");
};

function threads(db: Database, limits = { maxThreads: 3, ttlS: 60 }) {
  const clock = { now: 1_000_000 };
  const failures: string[] = [];
  const memory = correctThreads(sqliteStore(db), { route: ROUTE, limits, now: () => clock.now, failed: (op) => void failures.push(op) });
  return { memory, clock, failures };
}
const slot = (thread: string) => JSON.stringify([ROUTE, thread, "ops@localhost"]);
const rows = (db: Database) =>
  db.query<{ slot: string; first_id: string }, []>("SELECT slot, first_id FROM correct_threads ORDER BY rowid").all();

describe("a thread's key", () => {
  test("is stored as its SHA-256, never whole: a 400 kB key makes a row like any other", async () => {
    const db = openStore(":memory:");
    const { memory } = threads(db);
    const huge = slot("k".repeat(400_000));
    await memory.set(huge, "first-1");
    expect(await memory.get(huge)).toBe("first-1");
    expect(rows(db)).toEqual([{ slot: slotOf(huge), first_id: "first-1" }]);
    expect(slotOf(huge)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("bounds", () => {
  test("a route keeps its newest max_threads threads; the oldest is forgotten first", async () => {
    const db = openStore(":memory:");
    const { memory, clock } = threads(db, { maxThreads: 3, ttlS: 3600 });
    for (const n of [1, 2, 3, 4]) {
      clock.now += 1000;
      await memory.set(slot(`t${n}`), `id-${n}`);
    }
    expect(await memory.get(slot("t1"))).toBeUndefined();
    expect(await Promise.all(["t2", "t3", "t4"].map((t) => memory.get(slot(t))))).toEqual(["id-2", "id-3", "id-4"]);
    expect(rows(db)).toHaveLength(3);
  });

  test("another route's threads count against its own bound, not this one's", async () => {
    const db = openStore(":memory:");
    const { memory } = threads(db, { maxThreads: 1, ttlS: 3600 });
    const other = correctThreads(sqliteStore(db), { route: "POST /other", limits: { maxThreads: 1, ttlS: 3600 }, failed: () => undefined });
    await other.set(JSON.stringify(["POST /other", "t", "ops@localhost"]), "other-1");
    await memory.set(slot("t"), "mine-1");
    expect(rows(db)).toHaveLength(2);
  });

  test("a thread expires ttl_s after its first message: its next message starts a new one, and its row goes", async () => {
    const db = openStore(":memory:");
    const { memory, clock } = threads(db, { maxThreads: 10, ttlS: 60 });
    await memory.set(slot("old"), "id-old");
    clock.now += 59_000;
    expect(await memory.get(slot("old"))).toBe("id-old");
    clock.now += 1_000;
    expect(await memory.get(slot("old"))).toBeUndefined();
    await memory.set(slot("new"), "id-new");
    expect(rows(db).map((r) => r.first_id)).toEqual(["id-new"]);
  });

  test("max_threads and ttl_s are checked like any key, at their place in routes.yaml", async () => {
    const yaml = `${FAKE_HEAD}routes:\n  - path: /alert\n    correct: { key: body.group, max_threads: 0, ttl_s: soon }\n    send: <message to="ops@localhost"><body>x</body></message>\n`;
    const result = loadConfig(yaml, {}, BUILTIN_PLUGINS);
    expect(result.ok ? [] : formatLines("routes.yaml", result.diagnostics)).toEqual([
      "routes.yaml:9:46  error  routes[0].correct.max_threads  expected integer to be greater or equal to 1, found 0",
      'routes.yaml:9:56  error  routes[0].correct.ttl_s  expected integer, found "soon"',
    ]);
  });
});

describe("a store written before threads were hashed", () => {
  test("is migrated: a thread opened before the upgrade is still corrected after it", async () => {
    const path = storeFile();
    const old = new Database(path, { create: true, strict: true });
    migrate(old, OLD_SCHEMA);
    // Exactly what the previous release wrote: the whole key, in the plugins' table.
    old.run("INSERT INTO plugin_data (plugin, collection, key, value, updated_at) VALUES ('(correct)', 'threads', ?, ?, ?)", [
      slot("g1"),
      JSON.stringify("first-before-upgrade"),
      Date.now(),
    ]);
    old.close();

    gw = await fakeGateway(
      `routes:\n  - path: /alert\n    correct: { key: body.group }\n    send: <message to="ops@localhost"><body>{{ body.group }}</body></message>\n`,
      { store: path },
    );
    const res = await gw.request("/alert", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ group: "g1" }),
    });
    expect(res.status).toBe(201);
    expect(gw.stanzas().at(-1)?.getChild("replace")?.attrs.id).toBe("first-before-upgrade");

    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT count(*) AS n FROM plugin_data").get()).toEqual({ n: 0 });
    expect(rows(db)).toEqual([{ slot: slotOf(slot("g1")), first_id: "first-before-upgrade" }]);
    db.close();
  });
});

describe("a full store (SQLITE_FULL, from PRAGMA max_page_count)", () => {
  test("a thread that cannot be saved is reported and thrown; what was saved stays readable", async () => {
    const db = openStore(":memory:");
    const { memory, failures } = threads(db, { maxThreads: 100_000, ttlS: 3600 });
    const { page_count: pages } = db.query<{ page_count: number }, []>("PRAGMA page_count").get()!;
    db.exec(`PRAGMA max_page_count = ${pages}`);
    // A few 4 kB pages hold a few hundred rows: bounded, so a store that never fills fails the test.
    const fill = async () => {
      for (let n = 0; n < 10_000; n++) await memory.set(slot(`t${n}`), `id-${n}`);
    };
    await expect(fill()).rejects.toThrow(/full/);
    expect(failures).toEqual(["remembering a correct: thread"]);
    expect(await memory.get(slot("t0"))).toBe("id-0");
  });
});
