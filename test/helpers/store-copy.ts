// For `stanzagate store copy` tests: the real CLI as a process (the compiled binary in
// $STANZAGATE_BIN, else `bun src/main.ts`), a SQLite store with a row in every table the
// outbox does not fill, and both stores' rows read the same way to compare them.
import type { Database } from "bun:sqlite";
import type { SQL } from "bun";
import { join } from "node:path";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";

const ROOT = join(import.meta.dir, "../..");
const CLI = process.env.STANZAGATE_BIN ? [process.env.STANZAGATE_BIN] : [process.execPath, join(ROOT, "src/main.ts")];

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `stanzagate store copy ARGS` with `env` as its whole environment (plus PATH). */
export async function storeCopy(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const proc = Bun.spawn([...CLI, "store", "copy", ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, out, err };
}

/** The per-table lines of the summary (`  outbox  5`), as a map. */
export const summaryCounts = (out: string): Map<string, number> =>
  new Map([...out.matchAll(/^ {2}([a-z_]+) +([0-9]+)$/gm)].map((m) => [m[1] as string, Number(m[2])]));

/**
 * A row in each table the gateway's outbox rows leave empty, through the store's own API: a dead
 * letter (queued, then buried), a plugin's keyed value and version, two `correct:` threads, a
 * topic event, a file's index row, an offline grace hash.
 */
export async function fillOtherTables(file: string, component: string): Promise<void> {
  const store = sqliteStore(openStore(file));
  const seq = await store.outbox.push(`<message from="${component}" to="bob@localhost"><body>refused</body></message>`);
  await store.outbox.bury(seq, "service-unavailable");
  await store.keyed.migrated("post_msg", 2, [{ collection: "seen", key: "alice", json: '{"at":1}' }], []);
  for (const [slot, at] of [
    ["b-slot", 2_000],
    ["a-slot", 1_000],
  ] as const) {
    await store.threads.remember({ slot, route: "/say", id: `first-${slot}`, at: Date.now() + at }, { expiredUpTo: 0, max: 10 });
  }
  const json = JSON.stringify({ id: "ev1", event: "message", topic: "alerts", message: "disk full" });
  await store.topics.put({ id: "ev1", topic: "alerts", time: 1, expires: Date.now() + 3_600_000, json }, { maxRows: 10, maxBytes: 65_536 });
  const sha256 = "a".repeat(64);
  await store.files.insert({
    id: "f1",
    sha256,
    name: "report.pdf",
    type: "application/pdf",
    size: 3,
    stored_at: 1,
    expires_at: Date.now() + 3_600_000,
  });
  await store.grace.put("xmpp", "alice@localhost", "$argon2id$placeholder", Date.now());
  await store.close();
}

type Rows = Array<Record<string, string | null>>;
/** Values as text (PostgreSQL hands BIGINT as strings), rows sorted: a table's content, whatever the order read. */
const normalized = (rows: Array<Record<string, unknown>>): Rows =>
  rows
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Every table of the SQLite file but SQLite's counters and the probe's scratch row. */
export const sqliteTables = (db: Database): string[] =>
  db
    .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((t) => t.name)
    .filter((name) => name !== "sqlite_sequence" && name !== "store_probe");

/** One table's rows in both stores, the SQLite file's columns only. */
export async function bothSides(db: Database, pg: SQL, table: string): Promise<{ sqlite: Rows; postgres: Rows }> {
  const columns = db
    .query<{ name: string }, []>(`PRAGMA table_info(${table})`)
    .all()
    .map((c) => c.name)
    .join(", ");
  return {
    sqlite: normalized(db.query<Record<string, unknown>, []>(`SELECT ${columns} FROM ${table}`).all()),
    postgres: normalized(await pg.unsafe(`SELECT ${columns} FROM ${table}`)),
  };
}
