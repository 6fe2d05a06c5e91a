/**
 * Stanzas accepted while the XMPP link is down, kept in sqlite until they are sent, in order.
 * Rows are deleted only once the server confirmed them (see xmpp/barrier.ts), so a crash or a
 * dropped link in between can repeat a stanza but never lose one. A row the server kept refusing
 * moves to the dead-letter table (see dead-letter.ts) instead of blocking the rows behind it.
 *
 * A failed write throws STORE_UNAVAILABLE and is recorded in the store's health (store-health.ts).
 */
import type { Database } from "bun:sqlite";
import { GatewayError } from "../plugin-api/errors.ts";
import { buryRow } from "./dead-letter.ts";
import type { StoreHealth } from "./store-health.ts";

export interface QueuedStanza {
  seq: number;
  stanza: string;
  /** Times the server closed the stream right after this stanza. */
  attempts: number;
}

export interface Outbox {
  size(): number;
  /**
   * Appends; returns the row's seq, or undefined when the outbox already holds `max` stanzas
   * (counting the room `reserve` set aside). `reserved`: takes one of those places instead.
   */
  push(stanza: string, reserved?: boolean): number | undefined;
  /** Sets room for `n` stanzas aside (a notification's every message), or false when there is none. */
  reserve(n: number): boolean;
  /** Gives back `n` places set aside and not taken. */
  release(n: number): void;
  /** The oldest `limit` stanzas queued after `seq` (those not yet sent in this drain). */
  peekAfter(seq: number, limit: number): QueuedStanza[];
  /** Forgets every stanza up to and including `seq`. */
  ack(seq: number): void;
  /** Counts a failed attempt of one row; returns its attempts so far. */
  fail(seq: number, reason: string): number;
  /** Moves one row to the dead-letter table. */
  bury(seq: number, reason: string): void;
  /** Rows in the dead-letter table. */
  dead(): number;
  readonly health: StoreHealth;
}

/** How often the count is checked for another process's commits (the `stanzagate outbox` CLI), at most. */
const EXTERNAL_CHECK_MS = 1;

export function createOutbox(db: Database, max: number, health: StoreHealth): Outbox {
  const count = db.query<{ n: number }, []>("SELECT count(*) AS n FROM outbox");
  const deadCount = db.query<{ n: number }, []>("SELECT count(*) AS n FROM dead_letter");
  // Changes only when another connection (the `stanzagate outbox` CLI) commits to the file.
  const dataVersion = db.query<{ data_version: number }, []>("PRAGMA data_version");
  const insert = db.query("INSERT INTO outbox (stanza, queued_at) VALUES (?, ?)");
  const selectAfter = db.query<QueuedStanza, [number, number]>(
    "SELECT seq, stanza, attempts FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
  );
  const remove = db.query("DELETE FROM outbox WHERE seq <= ?");
  const failOne = db.query<{ attempts: number }, [string, number]>(
    "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? RETURNING attempts",
  );
  // The count is kept in memory and read again only when another process changed the file.
  let version = dataVersion.get()?.data_version;
  let size = count.get()?.n ?? 0;
  let reserved = 0;
  const write = <T>(op: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      health.failed(op, err);
      throw new GatewayError("STORE_UNAVAILABLE", undefined, { details: { reason: health.fault() } });
    }
  };
  // Another process's commit is looked for at most once a millisecond: every delivery asks the
  // size, and the query was 4% of post_msg's JavaScript samples under load. The CLI commits from
  // another process, unordered with HTTP requests anyway; this process's own rows are counted
  // exactly in memory.
  let checkedAt = Number.NEGATIVE_INFINITY;
  const currentSize = () => {
    const now = performance.now();
    if (now - checkedAt < EXTERNAL_CHECK_MS) return size;
    checkedAt = now;
    const v = dataVersion.get()?.data_version;
    if (v !== version) [version, size] = [v, count.get()?.n ?? 0];
    return size;
  };
  return {
    health,
    size: currentSize,
    push(stanza, fromReserve = false) {
      if (!fromReserve && currentSize() + reserved >= max) return undefined;
      const { lastInsertRowid } = write("queueing a stanza", () => insert.run(stanza, Date.now()));
      if (fromReserve) reserved = Math.max(0, reserved - 1);
      size++;
      return Number(lastInsertRowid);
    },
    reserve(n) {
      if (currentSize() + reserved + n > max) return false;
      reserved += n;
      return true;
    },
    release(n) {
      reserved = Math.max(0, reserved - n);
    },
    peekAfter: (seq, limit) => selectAfter.all(seq, limit),
    ack(seq) {
      const { changes } = write("forgetting sent stanzas", () => remove.run(seq));
      size = Math.max(0, size - changes);
    },
    fail: (seq, reason) => write("counting a refused stanza", () => failOne.get(reason, seq)?.attempts ?? 0),
    bury(seq, reason) {
      if (write("moving a stanza to the dead letters", () => buryRow(db, seq, reason))) size = Math.max(0, size - 1);
    },
    dead: () => deadCount.get()?.n ?? 0,
  };
}
