/**
 * Where the first message of each thread is remembered, bounded: a route's `correct:`, and any
 * feature that updates or withdraws a message it sent (XEP-0308, XEP-0424).
 *
 * A thread's key comes from the request (a 400 kB `groupKey` is a valid one), so it is never
 * stored: a row holds the SHA-256 of the key, which also makes every row the same small size.
 * Rows are bounded per route (`max_threads`, the oldest forgotten first) and expire (`ttl_s`):
 * XEP-0308 corrects "the last sent message" (§1); a correction of a message long scrolled away
 * is one clients do not show where a reader would look, so an old thread starts a new message.
 *
 * A failed write (disk full, read-only file) is reported through `failed` (the store's health, a
 * warning and a metric) and thrown; the caller decides what the request is answered.
 */
import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { GatewayError } from "../plugin-api/errors.ts";

/** The stored name of a thread slot: the same for a key written by any version. */
export const slotOf = (key: string): string => createHash("sha256").update(key).digest("hex");

/**
 * Schema migration: the rows the first `correct:` kept in the plugins' table, keyed by the whole
 * key, move to `correct_threads` under its hash, so threads open before an upgrade still correct.
 */
export function migrateThreadsTable(db: Database): void {
  db.run(`CREATE TABLE correct_threads (
     slot TEXT PRIMARY KEY,
     route TEXT NOT NULL,
     first_id TEXT NOT NULL,
     remembered_at INTEGER NOT NULL
   )`);
  db.run("CREATE INDEX correct_threads_by_age ON correct_threads (route, remembered_at)");
  const old = db.query<{ key: string; value: string; updated_at: number }, []>(
    "SELECT key, value, updated_at FROM plugin_data WHERE plugin = '(correct)' AND collection = 'threads'",
  );
  const insert = db.query("INSERT OR REPLACE INTO correct_threads (slot, route, first_id, remembered_at) VALUES (?, ?, ?, ?)");
  for (const row of old.iterate()) {
    const moved = parseOldRow(row.key, row.value);
    if (moved) insert.run(slotOf(row.key), moved.route, moved.id, row.updated_at);
  }
  db.run("DELETE FROM plugin_data WHERE plugin = '(correct)'");
}

/** An old row: key JSON [route, thread, recipient], value the JSON of the first message's id. */
function parseOldRow(key: string, value: string): { route: string; id: string } | undefined {
  try {
    const [route] = JSON.parse(key) as unknown[];
    const id = JSON.parse(value) as unknown;
    return typeof route === "string" && typeof id === "string" ? { route, id } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the store remembers: thread key -> id of the thread's first message. A failed read throws
 * STORE_UNAVAILABLE (nothing was sent yet); a failed write throws what the store threw.
 */
export interface Remembered {
  get(key: string): string | undefined;
  set(key: string, id: string): void;
  delete(key: string): void;
}

/** How many threads a route keeps open, and for how long (correctThreads below). */
export interface ThreadLimits {
  maxThreads: number;
  ttlS: number;
}

export const DEFAULT_THREAD_LIMITS: ThreadLimits = { maxThreads: 1000, ttlS: 86_400 };

export interface ThreadStoreOptions {
  /** The route's `METHOD /path`: its rows are bounded together. */
  route: string;
  limits: ThreadLimits;
  /** Told of every failed read or write, before it is thrown. */
  failed(op: string, err: unknown): void;
  now?: () => number;
}

export function correctThreads(db: Database, options: ThreadStoreOptions): Remembered {
  const { route, limits, failed, now = Date.now } = options;
  const select = db.query<{ first_id: string }, [string, number]>(
    "SELECT first_id FROM correct_threads WHERE slot = ? AND remembered_at > ?",
  );
  const upsert = db.query("INSERT OR REPLACE INTO correct_threads (slot, route, first_id, remembered_at) VALUES (?, ?, ?, ?)");
  const remove = db.query("DELETE FROM correct_threads WHERE slot = ?");
  const expire = db.query("DELETE FROM correct_threads WHERE route = ? AND remembered_at <= ?");
  // Past the newest max_threads of this route: the oldest go first (rowid breaks a tie in time).
  const evict = db.query(
    "DELETE FROM correct_threads WHERE rowid IN (SELECT rowid FROM correct_threads WHERE route = ? ORDER BY remembered_at DESC, rowid DESC LIMIT -1 OFFSET ?)",
  );
  const oldest = () => now() - limits.ttlS * 1000;
  const attempt = <T>(op: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      failed(op, err);
      throw err;
    }
  };
  const remember = db.transaction((slot: string, id: string) => {
    upsert.run(slot, route, id, now());
    expire.run(route, oldest());
    evict.run(route, limits.maxThreads);
  });
  return {
    get(key) {
      // Before anything is sent: refusing (503) is safe to retry, sending uncorrected would repeat the alert.
      try {
        return attempt("reading a correct: thread", () => select.get(slotOf(key), oldest())?.first_id);
      } catch (err) {
        throw new GatewayError("STORE_UNAVAILABLE", undefined, { details: { reason: err instanceof Error ? err.message : String(err) } });
      }
    },
    set: (key, id) => attempt("remembering a correct: thread", () => void remember(slotOf(key), id)),
    delete: (key) => attempt("forgetting a correct: thread", () => void remove.run(slotOf(key))),
  };
}
