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
import { createHash } from "node:crypto";
import type { Store } from "./types.ts";
import { storeFailureReason, storeUnavailable } from "./unavailable.ts";

/** The stored name of a thread slot: the same for a key written by any version. */
export const slotOf = (key: string): string => createHash("sha256").update(key).digest("hex");

/**
 * What the store remembers: thread key -> id of the thread's first message. A failed read throws
 * STORE_UNAVAILABLE (nothing was sent yet); a failed write throws what the store threw.
 */
export interface Remembered {
  get(key: string): Promise<string | undefined>;
  set(key: string, id: string): Promise<void>;
  delete(key: string): Promise<void>;
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

export function correctThreads(store: Store, options: ThreadStoreOptions): Remembered {
  const { route, limits, failed, now = Date.now } = options;
  const rows = store.threads;
  const oldest = () => now() - limits.ttlS * 1000;
  const attempt = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      failed(op, err);
      throw err;
    }
  };
  return {
    async get(key) {
      // Before anything is sent: refusing (503) is safe to retry, sending uncorrected would repeat the alert.
      try {
        return await attempt("reading a correct: thread", () => rows.get(slotOf(key), oldest()));
      } catch (err) {
        throw storeUnavailable(storeFailureReason(err));
      }
    },
    set: (key, id) =>
      attempt("remembering a correct: thread", () =>
        rows.remember({ slot: slotOf(key), route, id, at: now() }, { expiredUpTo: oldest(), max: limits.maxThreads }),
      ),
    delete: (key) => attempt("forgetting a correct: thread", () => rows.delete(slotOf(key))),
  };
}
