/**
 * The outbox and dead-letter rows in the bun:sqlite file (store/types.ts). Every statement runs
 * synchronously and returns a resolved promise: the outbox's hot path costs no more than when it
 * was synchronous. The dead-letter functions each run in one transaction, so the `stanzagate
 * outbox` CLI can use them while the gateway runs on the same file.
 */
import type { Database } from "bun:sqlite";
import type { DeadLetter, DeadLetterRows, OutboxRows, QueuedStanza } from "../types.ts";

/** How often the count is checked for another process's commits (the `stanzagate outbox` CLI), at most. */
const EXTERNAL_CHECK_MS = 1;

export function sqliteOutbox(db: Database): OutboxRows {
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
  const oldest = db.query<{ at: number | null }, []>("SELECT min(queued_at) AS at FROM outbox");
  // The count is kept in memory and read again only when another process changed the file.
  let version = dataVersion.get()?.data_version;
  let size = count.get()?.n ?? 0;
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
    size: currentSize,
    counted: () => size,
    dead: () => deadCount.get()?.n ?? 0,
    async push(stanza) {
      const { lastInsertRowid } = insert.run(stanza, Date.now());
      size++;
      return Number(lastInsertRowid);
    },
    peekAfter: async (seq, limit) => selectAfter.all(seq, limit),
    async ack(seq) {
      size = Math.max(0, size - remove.run(seq).changes);
    },
    // One gateway's file: no other replica to keep off its rows.
    holding: (work) => work(),
    fail: async (seq, reason) => failOne.get(reason, seq)?.attempts ?? 0,
    async bury(seq, reason) {
      const moved = buryRow(db, seq, reason);
      if (moved) size = Math.max(0, size - 1);
      return moved;
    },
    oldestQueuedAt: async () => oldest.get()?.at ?? undefined,
  };
}

function buryRow(db: Database, seq: number, reason: string): boolean {
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

export function sqliteDeadLetters(db: Database): DeadLetterRows {
  return {
    count: async () => db.query<{ n: number }, []>("SELECT count(*) AS n FROM dead_letter").get()?.n ?? 0,
    list: async () =>
      db.query<DeadLetter, []>("SELECT seq, stanza, queued_at, failed_at, attempts, reason FROM dead_letter ORDER BY seq").all(),
    retry: async (seq) =>
      db.transaction(() => {
        const row = db.query<{ stanza: string }, [number]>("SELECT stanza FROM dead_letter WHERE seq = ?").get(seq);
        if (!row) return false;
        db.query("INSERT INTO outbox (stanza, queued_at) VALUES (?, ?)").run(row.stanza, Date.now());
        db.query("DELETE FROM dead_letter WHERE seq = ?").run(seq);
        return true;
      })(),
    drop: async (seq) => db.query("DELETE FROM dead_letter WHERE seq = ?").run(seq).changes > 0,
  };
}
