/**
 * The files' bytes in PostgreSQL (store/types.ts BlobRows; files/db-blobs.ts streams through it),
 * so that every replica serves every file. file_chunks holds each upload's chunks under its own
 * id as they are written; file_blobs names an upload by its hash once it is whole. A reader finds
 * chunks only through file_blobs: chunks of an upload cut short (a crash, the server gone
 * mid-body) are never seen, and a sweep forgets them once no replica can still be writing them.
 * Naming, removing and judging the quota (postgres/caches.ts insertIfRoom) take one advisory lock,
 * so a blob is never removed between a file row's check that it exists and that row's insert.
 */
import type { SQL } from "bun";
import type { BlobRows } from "../types.ts";

/** pg_advisory_xact_lock's key for the files ("stanzagate files"), as MIGRATION_LOCK is the schema's. */
export const FILES_LOCK = 0x53_47_46_49;

export function postgresBlobs(sql: SQL): BlobRows {
  return {
    putChunk: async (upload, n, data) =>
      void (await sql`INSERT INTO file_chunks (upload, n, data, written_at) VALUES (${upload}, ${n}, ${data}, ${Date.now()})`),
    name: (upload, blob) =>
      sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${FILES_LOCK})`;
        const [have] = await tx`SELECT count(*)::int AS chunks, coalesce(sum(length(data)), 0)::bigint AS bytes
                                FROM file_chunks WHERE upload = ${upload}`;
        if (Number(have.chunks) !== blob.chunks || Number(have.bytes) !== blob.size) return undefined;
        // The same bytes named already: that blob stays, named now as far as a sweep is concerned,
        // and later than before, so that the replica that named it first and was refused room
        // does not take it from under this one (DbBlobs.remove).
        const [kept] = await tx`INSERT INTO file_blobs (sha256, upload, size, chunk_bytes, stored_at)
                                VALUES (${blob.sha256}, ${upload}, ${blob.size}, ${blob.chunkBytes}, ${Date.now()})
                                ON CONFLICT (sha256) DO UPDATE SET stored_at = greatest(EXCLUDED.stored_at, file_blobs.stored_at + 1)
                                RETURNING upload, stored_at`;
        if (kept.upload !== upload) await tx`DELETE FROM file_chunks WHERE upload = ${upload}`;
        return Number(kept.stored_at);
      }),
    drop: async (upload) => void (await sql`DELETE FROM file_chunks WHERE upload = ${upload}`),
    async find(sha256) {
      const [row] = await sql`SELECT upload, size, chunk_bytes FROM file_blobs WHERE sha256 = ${sha256}`;
      return row ? { upload: String(row.upload), size: Number(row.size), chunkBytes: Number(row.chunk_bytes) } : undefined;
    },
    chunks: async (upload, from, to) =>
      (await sql`SELECT data FROM file_chunks WHERE upload = ${upload} AND n BETWEEN ${from} AND ${to} ORDER BY n`).map(
        (r: { data: Uint8Array }) => r.data,
      ),
    list: async () => (await sql`SELECT sha256 FROM file_blobs`).map((r: { sha256: string }) => r.sha256),
    removeUnnamed: (sha256, writtenBefore) =>
      sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${FILES_LOCK})`;
        await tx`WITH gone AS (
                   DELETE FROM file_blobs WHERE sha256 = ${sha256} AND stored_at <= ${writtenBefore}
                     AND NOT EXISTS (SELECT 1 FROM files WHERE files.sha256 = ${sha256})
                   RETURNING upload)
                 DELETE FROM file_chunks WHERE upload IN (SELECT upload FROM gone)`;
      }),
    sweepUploads: (writtenBefore) =>
      sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${FILES_LOCK})`;
        const gone = await tx`DELETE FROM file_chunks WHERE upload IN (
                                SELECT upload FROM file_chunks GROUP BY upload HAVING max(written_at) <= ${writtenBefore}
                                EXCEPT SELECT upload FROM file_blobs)`;
        return gone.count;
      }),
  };
}
