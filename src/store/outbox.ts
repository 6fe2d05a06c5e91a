/**
 * Stanzas accepted while the XMPP link is down, kept in sqlite until they are sent, in order.
 * Rows are deleted only once the server confirmed them (see xmpp/barrier.ts), so a crash or a
 * dropped link in between can repeat a stanza but never lose one.
 */
import type { Database } from "bun:sqlite";

export interface QueuedStanza {
  seq: number;
  stanza: string;
}

export interface Outbox {
  size(): number;
  /** Appends; returns false when the outbox already holds `max` stanzas. */
  push(stanza: string): boolean;
  /** The oldest `limit` stanzas queued after `seq` (those not yet sent in this drain). */
  peekAfter(seq: number, limit: number): QueuedStanza[];
  /** Forgets every stanza up to and including `seq`. */
  ack(seq: number): void;
}

export function createOutbox(db: Database, max: number): Outbox {
  const count = db.query<{ n: number }, []>("SELECT count(*) AS n FROM outbox");
  const insert = db.query("INSERT INTO outbox (stanza, queued_at) VALUES (?, ?)");
  const selectAfter = db.query<QueuedStanza, [number, number]>("SELECT seq, stanza FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?");
  const remove = db.query("DELETE FROM outbox WHERE seq <= ?");
  // The count is kept in memory after the first read: this is the only writer of the table.
  let size = count.get()?.n ?? 0;
  return {
    size: () => size,
    push(stanza) {
      if (size >= max) return false;
      insert.run(stanza, Date.now());
      size++;
      return true;
    },
    peekAfter: (seq, limit) => selectAfter.all(seq, limit),
    ack(seq) {
      const { changes } = remove.run(seq);
      size = Math.max(0, size - changes);
    },
  };
}
