/**
 * The PostgreSQL store's schema: the same migrations as SQLite's (sqlite/migrations.ts), in
 * PostgreSQL's dialect and numbered the same, so migration N makes the same tables on both; the
 * ones past SQLite's last are for what only replicas sharing a store need (job_runs).
 * BIGINT for every time in milliseconds; BIGSERIAL where SQLite has AUTOINCREMENT. Steps that
 * only moved rows of an older SQLite layout create the table alone (a PostgreSQL store is born
 * with today's layout). Replicas starting together migrate one at a time (an advisory lock).
 */
import type { SQL } from "bun";

/** pg_advisory_xact_lock's key: "stanzagate schema" hashed once, a constant all versions share. */
const MIGRATION_LOCK = 0x53_47_53_43;

const POSTGRES_MIGRATIONS: readonly string[] = [
  "CREATE TABLE outbox (seq BIGSERIAL PRIMARY KEY, stanza TEXT NOT NULL, queued_at BIGINT NOT NULL)",
  "ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE outbox ADD COLUMN last_error TEXT",
  `CREATE TABLE dead_letter (
     seq BIGINT PRIMARY KEY, stanza TEXT NOT NULL, queued_at BIGINT NOT NULL, failed_at BIGINT NOT NULL,
     attempts INTEGER NOT NULL, reason TEXT NOT NULL
   )`,
  "CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at BIGINT NOT NULL)",
  `CREATE TABLE auth_grace (
     scheme TEXT NOT NULL, jid TEXT NOT NULL, hash TEXT NOT NULL, valid_at BIGINT NOT NULL, PRIMARY KEY (scheme, jid)
   )`,
  `CREATE TABLE plugin_data (
     plugin TEXT NOT NULL, collection TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at BIGINT NOT NULL,
     PRIMARY KEY (plugin, collection, key)
   )`,
  "CREATE TABLE plugin_versions (plugin TEXT PRIMARY KEY, version INTEGER NOT NULL)",
  // SQLite's step also moved the first `correct:` rows out of plugin_data: none exist here. `n`
  // orders rows remembered in the same millisecond, as SQLite's rowid does.
  `CREATE TABLE correct_threads (
     slot TEXT PRIMARY KEY, route TEXT NOT NULL, first_id TEXT NOT NULL, remembered_at BIGINT NOT NULL, n BIGSERIAL
   );
   CREATE INDEX correct_threads_by_age ON correct_threads (route, remembered_at)`,
  `CREATE TABLE files (
     id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, size BIGINT NOT NULL,
     stored_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
   );
   CREATE INDEX files_by_expiry ON files (expires_at);
   CREATE INDEX files_by_blob ON files (sha256)`,
  `CREATE TABLE topic_events (
     seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, topic TEXT NOT NULL, time BIGINT NOT NULL,
     expires BIGINT NOT NULL, bytes INTEGER NOT NULL, event TEXT NOT NULL
   );
   CREATE INDEX topic_events_by_topic ON topic_events (topic, seq);
   CREATE INDEX topic_events_by_expiry ON topic_events (expires)`,
  // Issue 26: which replica (its component address) claimed a row to send it, and when; a row
  // whose claim is older than the lease goes to whichever replica is online.
  "ALTER TABLE outbox ADD COLUMN claimed_by TEXT; ALTER TABLE outbox ADD COLUMN claimed_at BIGINT",
  // Issue 26: the last run of each bot job claimed by a replica (postgres/jobs.ts). PostgreSQL
  // only: a SQLite store is one gateway's, whose jobs need no claim.
  "CREATE TABLE job_runs (job TEXT PRIMARY KEY, at BIGINT NOT NULL, replica TEXT NOT NULL)",
  // Issue 26 §2: which replica queued a row; another that sends it puts its own address in the
  // stanza's from (postgres/outbox.ts), since a server takes from a component only its own domain.
  "ALTER TABLE outbox ADD COLUMN queued_by TEXT",
  // Issue 26: the files' bytes, so that every replica serves every file (postgres/blobs.ts).
  // Chunks are stored as they are (EXTERNAL: no compression): files are mostly compressed
  // already (images, audio, video), and trying again costs every write.
  `CREATE TABLE file_chunks (
     upload TEXT NOT NULL, n INTEGER NOT NULL, data BYTEA NOT NULL, written_at BIGINT NOT NULL, PRIMARY KEY (upload, n)
   );
   ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
   CREATE TABLE file_blobs (
     sha256 TEXT PRIMARY KEY, upload TEXT NOT NULL UNIQUE, size BIGINT NOT NULL, chunk_bytes INTEGER NOT NULL, stored_at BIGINT NOT NULL
   )`,
  // Issue 26: keyed values fresh across replicas (postgres/keyed.ts): each write's place in the
  // order of writes of its key, taken under the row's lock from one sequence.
  "CREATE SEQUENCE plugin_data_rev; ALTER TABLE plugin_data ADD COLUMN rev BIGINT NOT NULL DEFAULT 0",
];

/** The schema version this build writes: a database at a higher one was migrated by a newer Stanzagate. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

/** Runs the migrations the database has not seen, each in a transaction with its version. */
export async function migratePostgres(sql: SQL): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS stanzagate_schema (version INTEGER NOT NULL)`;
    const [row] = await tx`SELECT version FROM stanzagate_schema`;
    const from = row ? Number(row.version) : 0;
    if (!row) await tx`INSERT INTO stanzagate_schema (version) VALUES (0)`;
    for (let v = from; v < POSTGRES_MIGRATIONS.length; v++) {
      await tx.unsafe(POSTGRES_MIGRATIONS[v] as string);
      await tx`UPDATE stanzagate_schema SET version = ${v + 1}`;
    }
  });
}
