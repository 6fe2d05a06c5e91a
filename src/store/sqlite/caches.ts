/**
 * The topics' event cache and the files' index in the bun:sqlite file (store/types.ts).
 * Synchronous inside, resolved promises outside.
 */
import type { Database } from "bun:sqlite";
import type { FileRow, FileRows, TopicRows } from "../types.ts";

type Row = { event: string };

export function sqliteTopics(db: Database): TopicRows {
  const insert = db.query("INSERT INTO topic_events (id, topic, time, expires, bytes, event) VALUES (?, ?, ?, ?, ?, ?)");
  const put = db.transaction(
    (e: { id: string; topic: string; time: number; expires: number; json: string }, maxRows: number, maxBytes: number) => {
      insert.run(e.id, e.topic, e.time, e.expires, Buffer.byteLength(e.json), e.json);
      trim(db, e.topic, maxRows, maxBytes);
    },
  );
  return {
    put: async (event, bounds) => void put(event, bounds.maxRows, bounds.maxBytes),
    async read(topics, start, now, limit) {
      if (topics.length === 0) return [];
      const marks = topics.map(() => "?").join(",");
      // ntfy's `latest` is each topic's last message (server.go sendOldMessages asks topic by topic).
      if (start === "latest") {
        return db
          .query<Row, (string | number)[]>(
            `SELECT event FROM topic_events WHERE seq IN (SELECT MAX(seq) FROM topic_events WHERE topic IN (${marks}) AND expires > ? GROUP BY topic) ORDER BY seq`,
          )
          .all(...topics, now)
          .map((r) => r.event);
      }
      const [where, arg] = startAt(db, start);
      return db
        .query<Row, (string | number)[]>(
          `SELECT event FROM topic_events WHERE topic IN (${marks}) AND expires > ? AND ${where} ORDER BY seq LIMIT ${Math.floor(limit)}`,
        )
        .all(...topics, now, arg)
        .map((r) => r.event);
    },
    sweep: async (now) => db.query("DELETE FROM topic_events WHERE expires <= ?").run(now).changes,
  };
}

/** An id no longer held (expired, or never ours) starts at the beginning (see TopicRows.read). */
function startAt(db: Database, start: { afterId: string } | { fromTime: number } | "all"): [string, string | number] {
  if (start === "all") return ["seq > ?", 0];
  if ("fromTime" in start) return ["time >= ?", start.fromTime];
  const at = db.query<{ seq: number }, [string]>("SELECT seq FROM topic_events WHERE id = ?").get(start.afterId);
  return ["seq > ?", at?.seq ?? 0];
}

/** The topic's rows past maxRows, then past maxBytes, oldest first. */
function trim(db: Database, topic: string, maxRows: number, maxBytes: number): void {
  db.query(
    "DELETE FROM topic_events WHERE topic = ?1 AND seq <= (SELECT seq FROM topic_events WHERE topic = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
  ).run(topic, maxRows);
  const over = db
    .query<{ seq: number | null }, [string, number]>(
      "SELECT MAX(seq) AS seq FROM (SELECT seq, SUM(bytes) OVER (ORDER BY seq DESC) AS total FROM topic_events WHERE topic = ?) WHERE total > ?",
    )
    .get(topic, maxBytes);
  if (over?.seq != null) db.query("DELETE FROM topic_events WHERE topic = ? AND seq <= ?").run(topic, over.seq);
}

export function sqliteFiles(db: Database): FileRows {
  const insert = (r: FileRow) =>
    void db
      .query("INSERT INTO files (id, sha256, name, type, size, stored_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(r.id, r.sha256, r.name, r.type, r.size, r.stored_at, r.expires_at);
  const named = (sha256: string) => db.query("SELECT 1 FROM files WHERE sha256 = ? LIMIT 1").get(sha256) !== null;
  const storedBytes = () =>
    db.query<{ total: number | null }, []>("SELECT sum(size) AS total FROM (SELECT DISTINCT sha256, size FROM files)").get()?.total ?? 0;
  // One gateway per file, and a transaction's statements run together: nothing comes between.
  const insertIfRoom = db.transaction((r: FileRow, fits: (added: number, stored: number) => boolean) => {
    const stored = storedBytes();
    const added = named(r.sha256) ? 0 : r.size;
    if (!fits(added, stored)) return { inserted: false, stored };
    insert(r);
    return { inserted: true, stored: stored + added };
  });
  return {
    insert: async (r) => insert(r),
    find: async (id, now) =>
      db.query<FileRow, [string, number]>("SELECT * FROM files WHERE id = ? AND expires_at > ?").get(id, now) ?? undefined,
    delete: async (id) => void db.query("DELETE FROM files WHERE id = ?").run(id),
    expire: async (now) => db.query("DELETE FROM files WHERE expires_at <= ?").run(now).changes,
    names: async (sha256) => named(sha256),
    blobs: async () =>
      new Set(
        db
          .query<{ sha256: string }, []>("SELECT DISTINCT sha256 FROM files")
          .all()
          .map((r) => r.sha256),
      ),
    storedBytes: async () => storedBytes(),
    insertIfRoom: async (r, fits) => insertIfRoom(r, fits),
  };
}
