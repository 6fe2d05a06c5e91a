/**
 * The local store: one bun:sqlite file. WAL so that HTTP handlers writing to the outbox never
 * wait for the drainer reading it, and synchronous=NORMAL, which in WAL mode is still durable
 * against a crash of the process (only a power loss can undo the last commits).
 */
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { migrateThreadsTable } from "./threads.ts";
import { FILES_TABLE } from "../files/store.ts";
import { migrateTopicEvents } from "../topics/cache.ts";

/** SQL, or a function for a migration that moves rows SQL alone cannot (hashing them). */
type Migration = string | ((db: Database) => void);

/** Each migration runs once, in order; its index + 1 is the schema version. Never edit one. */
const MIGRATIONS: readonly Migration[] = [
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
  // threads.ts: `correct:` threads by the hash of their key, bounded and expiring.
  migrateThreadsTable,
  // files/store.ts: one row per file a notification attached (issue 21).
  FILES_TABLE,
  // topics/cache.ts: the events of ntfy topics, for subscribers' `since=` (issue 22).
  migrateTopicEvents,
];

/**
 * Opens (creating the file, never its directory) and migrates the store. A missing directory is
 * an error that names it: creating it, or falling back to an empty store, would hide that the
 * queue kept there is gone.
 */
export function openStore(path: string): Database {
  if (path !== ":memory:" && !existsSync(dirname(resolve(path)))) {
    throw new Error(`the store directory ${dirname(resolve(path))} does not exist (store: ${path})`);
  }
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  migrate(db);
  return db;
}

/** Runs the migrations the file has not seen, up to `target` (an older schema, for upgrade tests). */
export function migrate(db: Database, target = MIGRATIONS.length): void {
  const { user_version: version } = db.query("PRAGMA user_version").get() as { user_version: number };
  for (let v = version; v < target; v++) {
    const migration = MIGRATIONS[v] as Migration;
    db.transaction(() => {
      if (typeof migration === "string") db.exec(migration);
      else migration(db);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    })();
  }
}
