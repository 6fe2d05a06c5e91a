/**
 * Where `correct:` remembers the first message of each thread (engine/correct.ts), bounded.
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
import type { Remembered, ThreadLimits } from "./correct.ts";
import { GatewayError } from "../../errors.ts";
import { slotOf } from "../../store/correct-threads-table.ts";

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
