/**
 * The table `correct:` threads are kept in (src/features/routes/correct-threads.ts reads and
 * writes it): its slot key, and the migration that made it, one step of the store's history (db.ts).
 */
import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";

/** The stored name of a thread slot: the same for a key written by any version. */
export const slotOf = (key: string): string => createHash("sha256").update(key).digest("hex");

/**
 * Schema migration: the rows the first `correct:` kept in the plugins' table, keyed by the whole
 * key, move to `correct_threads` under its hash, so threads open before an upgrade still correct.
 */
export function migrateThreadsTable(db: Database): void {
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
