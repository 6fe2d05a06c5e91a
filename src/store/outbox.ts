/**
 * Stanzas accepted while the XMPP link is down, kept in the store until they are sent, in order.
 * Rows are deleted only once the server confirmed them (see xmpp/barrier.ts), so a crash or a
 * dropped link in between can repeat a stanza but never lose one. A row the server kept refusing
 * moves to the dead letters instead of blocking the rows behind it.
 *
 * The rows are the store's (store/types.ts OutboxRows); what is here is the bound (`max`, and the
 * room `reserve` sets aside) and the store's health: a failed write throws STORE_UNAVAILABLE and
 * is recorded in it (store-health.ts).
 */
import type { StoreHealth } from "./store-health.ts";
import type { QueuedStanza, Store } from "./types.ts";
import { storeUnavailable } from "./unavailable.ts";

export type { QueuedStanza };

export interface Outbox {
  size(): number;
  /** The count without looking for another process's commits (store/types.ts OutboxRows.counted). */
  counted(): number;
  /**
   * Appends; returns the row's seq, or undefined when the outbox already holds `max` stanzas
   * (counting the room `reserve` set aside). `reserved`: takes one of those places instead.
   */
  push(stanza: string, reserved?: boolean): Promise<number | undefined>;
  /** Sets room for `n` stanzas aside (a notification's every message), or false when there is none. */
  reserve(n: number): boolean;
  /** Gives back `n` places set aside and not taken. */
  release(n: number): void;
  /** The oldest `limit` stanzas queued after `seq` (those not yet sent in this drain). */
  peekAfter(seq: number, limit: number): Promise<QueuedStanza[]>;
  /** Forgets every stanza up to and including `seq`. */
  ack(seq: number): Promise<void>;
  /** Runs a drain; the rows it was handed stay this replica's meanwhile (OutboxRows.holding). */
  holding<T>(work: () => Promise<T>): Promise<T>;
  /** Counts a failed attempt of one row; returns its attempts so far. */
  fail(seq: number, reason: string): Promise<number>;
  /** Moves one row to the dead-letter table. */
  bury(seq: number, reason: string): Promise<void>;
  /** Rows in the dead-letter table. */
  dead(): number;
  readonly health: StoreHealth;
}

export function createOutbox(store: Store, max: number, health: StoreHealth): Outbox {
  const rows = store.outbox;
  let reserved = 0;
  const write = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      health.failed(op, err);
      throw storeUnavailable(health.fault());
    }
  };
  return {
    health,
    size: rows.size,
    counted: rows.counted ?? rows.size,
    async push(stanza, fromReserve = false) {
      if (!fromReserve && rows.size() + reserved >= max) return undefined;
      const seq = await write("queueing a stanza", () => rows.push(stanza));
      if (fromReserve) reserved = Math.max(0, reserved - 1);
      return seq;
    },
    reserve(n) {
      if (rows.size() + reserved + n > max) return false;
      reserved += n;
      return true;
    },
    release(n) {
      reserved = Math.max(0, reserved - n);
    },
    peekAfter: (seq, limit) => rows.peekAfter(seq, limit),
    ack: (seq) => write("forgetting sent stanzas", () => rows.ack(seq)),
    holding: (work) => rows.holding(work),
    fail: (seq, reason) => write("counting a refused stanza", () => rows.fail(seq, reason)),
    bury: (seq, reason) => write("moving a stanza to the dead letters", async () => void (await rows.bury(seq, reason))),
    dead: rows.dead,
  };
}
