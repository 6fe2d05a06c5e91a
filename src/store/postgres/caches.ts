/**
 * The topics' event cache and the files' index in PostgreSQL (store/types.ts): the same rows and
 * bounds as SQLite's (sqlite/caches.ts), in PostgreSQL's dialect.
 */
import type { SQL } from "bun";
import type { FileRow, FileRows, TopicRows } from "../types.ts";
import { FILES_LOCK } from "./blobs.ts";

type Event = { event: string };

export function postgresTopics(sql: SQL): TopicRows {
  return {
    put: (e, bounds) =>
      sql.begin(async (tx) => {
        await tx`INSERT INTO topic_events (id, topic, time, expires, bytes, event)
                 VALUES (${e.id}, ${e.topic}, ${e.time}, ${e.expires}, ${Buffer.byteLength(e.json)}, ${e.json})`;
        await tx`DELETE FROM topic_events WHERE topic = ${e.topic} AND seq <= (
                   SELECT seq FROM topic_events WHERE topic = ${e.topic} ORDER BY seq DESC LIMIT 1 OFFSET ${bounds.maxRows})`;
        await tx`DELETE FROM topic_events WHERE topic = ${e.topic} AND seq <= (
                   SELECT max(seq) FROM (SELECT seq, sum(bytes) OVER (ORDER BY seq DESC) AS total FROM topic_events WHERE topic = ${e.topic}) t
                   WHERE total > ${bounds.maxBytes})`;
      }),
    async read(topics, start, now, limit) {
      if (topics.length === 0) return [];
      const list = [...topics];
      let rows: Event[];
      // ntfy's `latest` is each topic's last message (server.go sendOldMessages asks topic by topic).
      if (start === "latest") {
        rows = await sql`SELECT event FROM topic_events WHERE seq IN (
                           SELECT max(seq) FROM topic_events WHERE topic IN ${sql(list)} AND expires > ${now} GROUP BY topic)
                         ORDER BY seq`;
      } else if (start !== "all" && "fromTime" in start) {
        rows = await sql`SELECT event FROM topic_events WHERE topic IN ${sql(list)} AND expires > ${now} AND time >= ${start.fromTime}
                         ORDER BY seq LIMIT ${limit}`;
      } else {
        // An id no longer held (expired, or never ours) starts at the beginning (see TopicRows.read).
        const after = start === "all" ? null : start.afterId;
        rows = await sql`SELECT event FROM topic_events WHERE topic IN ${sql(list)} AND expires > ${now}
                           AND seq > coalesce((SELECT seq FROM topic_events WHERE id = ${after}), 0)
                         ORDER BY seq LIMIT ${limit}`;
      }
      return rows.map((r) => r.event);
    },
    sweep: async (now) => (await sql`DELETE FROM topic_events WHERE expires <= ${now}`).count,
  };
}

type Stored = Record<keyof FileRow, string | number>;
const fileRow = (r: Stored): FileRow => ({
  id: String(r.id),
  sha256: String(r.sha256),
  name: String(r.name),
  type: String(r.type),
  size: Number(r.size),
  stored_at: Number(r.stored_at),
  expires_at: Number(r.expires_at),
});

export function postgresFiles(sql: SQL): FileRows {
  return {
    insert: async (r) =>
      void (await sql`INSERT INTO files (id, sha256, name, type, size, stored_at, expires_at)
                      VALUES (${r.id}, ${r.sha256}, ${r.name}, ${r.type}, ${r.size}, ${r.stored_at}, ${r.expires_at})`),
    async find(id, now) {
      const [row] = await sql`SELECT * FROM files WHERE id = ${id} AND expires_at > ${now}`;
      return row ? fileRow(row) : undefined;
    },
    delete: async (id) => void (await sql`DELETE FROM files WHERE id = ${id}`),
    expire: async (now) => (await sql`DELETE FROM files WHERE expires_at <= ${now}`).count,
    names: async (sha256) => (await sql`SELECT 1 FROM files WHERE sha256 = ${sha256} LIMIT 1`).length > 0,
    blobs: async () => new Set((await sql`SELECT DISTINCT sha256 FROM files`).map((r: { sha256: string }) => r.sha256)),
    storedBytes: async () =>
      Number((await sql`SELECT coalesce(sum(size), 0) AS total FROM (SELECT DISTINCT sha256, size FROM files) d`)[0].total),
    // Replicas judge the quota one at a time (and never while a blob is removed: postgres/blobs.ts).
    insertIfRoom: (r, fits) =>
      sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${FILES_LOCK})`;
        const [held] = await tx`SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = ${r.sha256}) AS named,
                                  (SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT sha256, size FROM files) d) AS stored`;
        const [stored, added] = [Number(held.stored), held.named ? 0 : r.size];
        if (!fits(added, stored)) return { inserted: false, stored };
        await tx`INSERT INTO files (id, sha256, name, type, size, stored_at, expires_at)
                 VALUES (${r.id}, ${r.sha256}, ${r.name}, ${r.type}, ${r.size}, ${r.stored_at}, ${r.expires_at})`;
        return { inserted: true, stored: stored + added };
      }),
  };
}
