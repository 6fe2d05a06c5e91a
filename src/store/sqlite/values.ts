/**
 * The small keyed tables in the bun:sqlite file (store/types.ts): plugins' values and versions,
 * `correct:` threads, and the offline grace's password hashes. Synchronous inside, resolved
 * promises outside.
 */
import type { Database } from "bun:sqlite";
import type { GraceRows, KeyedRows, KeyedWrite, ThreadRows } from "../types.ts";

export function sqliteKeyed(db: Database): KeyedRows {
  const upsert = db.query("INSERT OR REPLACE INTO plugin_data (plugin, collection, key, value, updated_at) VALUES (?, ?, ?, ?, ?)");
  const remove = db.query("DELETE FROM plugin_data WHERE plugin = ? AND collection = ? AND key = ?");
  const write = (plugin: string, w: KeyedWrite) =>
    w.json === undefined ? remove.run(plugin, w.collection, w.key) : upsert.run(plugin, w.collection, w.key, w.json, Date.now());
  const migrated = db.transaction((plugin: string, version: number, writes: readonly KeyedWrite[], drops: readonly string[]) => {
    for (const w of writes) write(plugin, w);
    for (const table of drops) db.run(`DROP TABLE IF EXISTS ${table}`);
    db.run("INSERT OR REPLACE INTO plugin_versions (plugin, version) VALUES (?, ?)", [plugin, version]);
  });
  const select = db.query<{ json: string }, [string, string, string]>(
    "SELECT value AS json FROM plugin_data WHERE plugin = ? AND collection = ? AND key = ?",
  );
  // The value is JSON text: an integer's digits, which CAST reads back (absent or not one: 0).
  const increment = db.query<{ value: string | number }, [string, string, string, number]>(
    `INSERT INTO plugin_data (plugin, collection, key, value, updated_at) VALUES (?, ?, ?, '1', ?)
     ON CONFLICT (plugin, collection, key) DO UPDATE SET value = CAST(value AS INTEGER) + 1, updated_at = excluded.updated_at
     RETURNING value`,
  );
  return {
    // One process per file: its view is the store (rev 0 throughout, nothing to follow).
    put: async (at, json) => (write(at.plugin, { ...at, json }), 0),
    read: async (at) => {
      const row = select.get(at.plugin, at.collection, at.key);
      return row ? { json: row.json, rev: 0 } : undefined;
    },
    increment: async (at) => Number(increment.get(at.plugin, at.collection, at.key, Date.now())?.value),
    follow: async () => () => {},
    all: async (plugin) =>
      db
        .query<{ collection: string; key: string; json: string }, [string]>(
          "SELECT collection, key, value AS json FROM plugin_data WHERE plugin = ? ORDER BY collection, updated_at, rowid",
        )
        .all(plugin),
    set: async (at, json) => void write(at.plugin, { ...at, json }),
    delete: async (at) => void write(at.plugin, { ...at, json: undefined }),
    version: async (plugin) =>
      db.query<{ version: number }, [string]>("SELECT version FROM plugin_versions WHERE plugin = ?").get(plugin)?.version ?? 0,
    async legacyTables(plugin) {
      const names = db
        .query<{ name: string }, [string]>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, length(?1) + 1) = ?1 || '_'",
        )
        .all(plugin)
        .map((r) => r.name)
        .filter((name) => /^[a-z0-9_]+$/.test(name));
      return new Map(names.map((name) => [name, db.query<Record<string, unknown>, []>(`SELECT * FROM ${name}`).all()]));
    },
    migrated: async (plugin, version, writes, drops) => void migrated(plugin, version, writes, drops),
  };
}

export function sqliteThreads(db: Database): ThreadRows {
  const select = db.query<{ first_id: string }, [string, number]>(
    "SELECT first_id FROM correct_threads WHERE slot = ? AND remembered_at > ?",
  );
  const upsert = db.query("INSERT OR REPLACE INTO correct_threads (slot, route, first_id, remembered_at) VALUES (?, ?, ?, ?)");
  const remove = db.query("DELETE FROM correct_threads WHERE slot = ?");
  const expire = db.query("DELETE FROM correct_threads WHERE route = ? AND remembered_at <= ?");
  // Past the newest max of this route: the oldest go first (rowid breaks a tie in time).
  const evict = db.query(
    "DELETE FROM correct_threads WHERE rowid IN (SELECT rowid FROM correct_threads WHERE route = ? ORDER BY remembered_at DESC, rowid DESC LIMIT -1 OFFSET ?)",
  );
  const remember = db.transaction((row: { slot: string; route: string; id: string; at: number }, expiredUpTo: number, max: number) => {
    upsert.run(row.slot, row.route, row.id, row.at);
    expire.run(row.route, expiredUpTo);
    evict.run(row.route, max);
  });
  return {
    get: async (slot, after) => select.get(slot, after)?.first_id,
    remember: async (row, bounds) => void remember(row, bounds.expiredUpTo, bounds.max),
    delete: async (slot) => void remove.run(slot),
  };
}

export function sqliteGrace(db: Database): GraceRows {
  const select = db.query<{ hash: string; valid_at: number }, [string, string]>(
    "SELECT hash, valid_at FROM auth_grace WHERE scheme = ? AND jid = ?",
  );
  const touch = db.query("UPDATE auth_grace SET valid_at = ? WHERE scheme = ? AND jid = ?");
  const upsert = db.query("INSERT OR REPLACE INTO auth_grace (scheme, jid, hash, valid_at) VALUES (?, ?, ?, ?)");
  return {
    get: async (scheme, jid) => select.get(scheme, jid) ?? undefined,
    put: async (scheme, jid, hash, validAt) => void upsert.run(scheme, jid, hash, validAt),
    touch: async (scheme, jid, validAt) => void touch.run(validAt, scheme, jid),
    expire: async (scheme, before) => void db.run("DELETE FROM auth_grace WHERE scheme = ? AND valid_at < ?", [scheme, before]),
  };
}
