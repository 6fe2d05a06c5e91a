/**
 * The bun:sqlite file's schema, one migration at a time. PostgreSQL's (postgres/migrations.ts)
 * is the same list in its dialect, versioned the same: migration N makes the same tables on both.
 */
import type { Database } from "bun:sqlite";
import { slotOf } from "../threads.ts";

/** SQL, or a function for a migration that moves rows SQL alone cannot (hashing them). */
type Migration = string | ((db: Database) => void);

/** Each migration runs once, in order; its index + 1 is the schema version (PRAGMA user_version). Never edit one. */
const SQLITE_MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     stanza TEXT NOT NULL,
     queued_at INTEGER NOT NULL
   )`,
  // How often the server closed the stream right after this stanza (see xmpp/delivery.ts).
  `ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE outbox ADD COLUMN last_error TEXT`,
  // Stanzas the server kept refusing: out of the queue, kept for `stanzagate outbox` to retry or drop.
  `CREATE TABLE dead_letter (
     seq INTEGER PRIMARY KEY,
     stanza TEXT NOT NULL,
     queued_at INTEGER NOT NULL,
     failed_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL,
     reason TEXT NOT NULL
   )`,
  // One row rewritten by the store probe, to learn whether the file can be written again.
  `CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)`,
  // auth/grace.ts: the last password that logged in per user, as an argon2id hash (salted), so
  // that `offline_grace_s` survives a restart.
  `CREATE TABLE auth_grace (
     scheme TEXT NOT NULL,
     jid TEXT NOT NULL,
     hash TEXT NOT NULL,
     valid_at INTEGER NOT NULL,
     PRIMARY KEY (scheme, jid)
   )`,
  // store/plugin-store.ts: the plugins' keyed values, and how far each plugin's migrations ran.
  `CREATE TABLE plugin_data (
     plugin TEXT NOT NULL,
     collection TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (plugin, collection, key)
   )`,
  `CREATE TABLE plugin_versions (plugin TEXT PRIMARY KEY, version INTEGER NOT NULL)`,
  // store/threads.ts: `correct:` threads by the hash of their key, bounded and expiring.
  migrateThreadsTable,
  // files/store.ts: one row per file a notification attached (issue 21).
  `CREATE TABLE files (
     id TEXT PRIMARY KEY,
     sha256 TEXT NOT NULL,
     name TEXT NOT NULL,
     type TEXT NOT NULL,
     size INTEGER NOT NULL,
     stored_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX files_by_expiry ON files (expires_at);
   CREATE INDEX files_by_blob ON files (sha256);`,
  // topics/cache.ts: the events of ntfy topics, for subscribers' `since=` (issue 22); `event` is
  // the JSON subscribers get.
  `CREATE TABLE topic_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     topic TEXT NOT NULL,
     time INTEGER NOT NULL,
     expires INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     event TEXT NOT NULL
   );
   CREATE INDEX topic_events_by_topic ON topic_events (topic, seq);
   CREATE INDEX topic_events_by_expiry ON topic_events (expires);`,
  // Issue 26: which replica claimed a row to send it, and when. One gateway per SQLite file
  // never sets them; they keep the numbering of PostgreSQL's migrations, and `store copy` a column for each.
  `ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
   ALTER TABLE outbox ADD COLUMN claimed_at INTEGER;`,
];

/** The schema version this build writes: a file at a higher one was written by a newer Stanzagate. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

/** Runs the migrations the file has not seen, up to `target` (an older schema, for upgrade tests). */
export function migrate(db: Database, target = SQLITE_MIGRATIONS.length): void {
  const { user_version: version } = db.query("PRAGMA user_version").get() as { user_version: number };
  for (let v = version; v < target; v++) {
    const migration = SQLITE_MIGRATIONS[v] as Migration;
    db.transaction(() => {
      if (typeof migration === "string") db.exec(migration);
      else migration(db);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    })();
  }
}

/**
 * The rows the first `correct:` kept in the plugins' table, keyed by the whole key, move to
 * `correct_threads` under its hash, so threads open before an upgrade still correct.
 */
function migrateThreadsTable(db: Database): void {
  db.run(`CREATE TABLE correct_threads (
     slot TEXT PRIMARY KEY,
     route TEXT NOT NULL,
     first_id TEXT NOT NULL,
     remembered_at INTEGER NOT NULL
   )`);
  db.run("CREATE INDEX correct_threads_by_age ON correct_threads (route, remembered_at)");
  const old = db.query<{ key: string; value: string; updated_at: number }, []>(
    "SELECT key, value, updated_at FROM plugin_data WHERE plugin = '(correct)' AND collection = 'threads'",
  );
  const insert = db.query("INSERT OR REPLACE INTO correct_threads (slot, route, first_id, remembered_at) VALUES (?, ?, ?, ?)");
  for (const row of old.iterate()) {
    const moved = parseOldRow(row.key, row.value);
    if (moved) insert.run(slotOf(row.key), moved.route, moved.id, row.updated_at);
  }
  db.run("DELETE FROM plugin_data WHERE plugin = '(correct)'");
}

/** An old row: key JSON [route, thread, recipient], value the JSON of the first message's id. */
function parseOldRow(key: string, value: string): { route: string; id: string } | undefined {
  try {
    const [route] = JSON.parse(key) as unknown[];
    const id = JSON.parse(value) as unknown;
    return typeof route === "string" && typeof id === "string" ? { route, id } : undefined;
  } catch {
    return undefined;
  }
}
