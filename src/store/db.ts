/**
 * The local store: one bun:sqlite file. WAL so that HTTP handlers writing to the outbox never
 * wait for the drainer reading it, and synchronous=NORMAL, which in WAL mode is still durable
 * against a crash of the process (only a power loss can undo the last commits).
 */
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { migrate } from "./sqlite/migrations.ts";

export { migrate };

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
