/**
 * The local store: one bun:sqlite file. WAL so that HTTP handlers writing to the outbox never
 * wait for the drainer reading it, and synchronous=NORMAL, which in WAL mode is still durable
 * against a crash of the process (only a power loss can undo the last commits).
 */
import { Database } from "bun:sqlite";

/** Each migration runs once, in order; its index + 1 is the schema version. Never edit one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     stanza TEXT NOT NULL,
     queued_at INTEGER NOT NULL
   )`,
  // auth/grace.ts: the last password that logged in per user, as an argon2id hash (salted), so
  // that `offline_grace_s` survives a restart.
  `CREATE TABLE auth_grace (
     scheme TEXT NOT NULL,
     jid TEXT NOT NULL,
     hash TEXT NOT NULL,
     valid_at INTEGER NOT NULL,
     PRIMARY KEY (scheme, jid)
   )`,
];

export function openStore(path: string): Database {
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  migrate(db);
  return db;
}

function migrate(db: Database): void {
  const { user_version: version } = db.query("PRAGMA user_version").get() as { user_version: number };
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    })();
  }
}
