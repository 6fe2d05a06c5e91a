/**
 * The dead-letter table: stanzas the server closed the stream on, again and again, taken out of
 * the queue so the rows behind them move on. Nothing here is deleted by Stanzagate itself: an
 * operator looks (`stanzagate outbox list`) and retries or drops each one. Every function runs in
 * one transaction, so the CLI can use it while the gateway is running on the same file.
 */
import type { Database } from "bun:sqlite";

export interface DeadLetter {
  seq: number;
  stanza: string;
  queued_at: number;
  failed_at: number;
  attempts: number;
  reason: string;
}

/** Moves outbox row `seq` to the dead letters; returns whether there was such a row. */
export function buryRow(db: Database, seq: number, reason: string): boolean {
  return db.transaction(() => {
    const moved = db
      .query(
        "INSERT INTO dead_letter (seq, stanza, queued_at, failed_at, attempts, reason) SELECT seq, stanza, queued_at, ?, attempts, ? FROM outbox WHERE seq = ?",
      )
      .run(Date.now(), reason, seq);
    db.query("DELETE FROM outbox WHERE seq = ?").run(seq);
    return moved.changes > 0;
  })();
}

export function listDead(db: Database): DeadLetter[] {
  return db.query<DeadLetter, []>("SELECT seq, stanza, queued_at, failed_at, attempts, reason FROM dead_letter ORDER BY seq").all();
}

/** Puts a dead letter back at the end of the queue with a fresh attempt count; false if no such id. */
export function retryDead(db: Database, seq: number): boolean {
  return db.transaction(() => {
    const row = db.query<{ stanza: string }, [number]>("SELECT stanza FROM dead_letter WHERE seq = ?").get(seq);
    if (!row) return false;
    db.query("INSERT INTO outbox (stanza, queued_at) VALUES (?, ?)").run(row.stanza, Date.now());
    db.query("DELETE FROM dead_letter WHERE seq = ?").run(seq);
    return true;
  })();
}

/** Forgets a dead letter for good; false if no such id. */
export function dropDead(db: Database, seq: number): boolean {
  return db.query("DELETE FROM dead_letter WHERE seq = ?").run(seq).changes > 0;
}
