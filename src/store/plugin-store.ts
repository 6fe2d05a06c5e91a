/**
 * The plugins' store (src/plugin-api/store.ts) over the gateway's sqlite file: one table of JSON
 * values keyed by plugin, collection and key, and a version per plugin so each plugin's
 * migrations run once. A plugin reaches only its own rows and its own legacy tables.
 */
import type { Database } from "bun:sqlite";
import type { Keyed, Migration, MigrationContext, PluginStore } from "../plugin-api/store.ts";

/** The name a feature's `ctx.store` has among the plugins' (generation/running.ts). */
export const featureStoreName = (feature: string): string => `(${feature})`;

export function pluginStore(db: Database, plugin: string): PluginStore {
  const select = db.query<{ value: string }, [string, string, string]>(
    "SELECT value FROM plugin_data WHERE plugin = ? AND collection = ? AND key = ?",
  );
  const upsert = db.query("INSERT OR REPLACE INTO plugin_data (plugin, collection, key, value, updated_at) VALUES (?, ?, ?, ?, ?)");
  const remove = db.query("DELETE FROM plugin_data WHERE plugin = ? AND collection = ? AND key = ?");
  return {
    keyed<V>(name: string): Keyed<V> {
      return {
        // The plugin wrote this value as a V (or its migration did): JSON gives it back as one.
        get: (key) => parse<V>(select.get(plugin, name, key)?.value),
        set: (key, value) => void upsert.run(plugin, name, key, JSON.stringify(value), Date.now()),
        delete: (key) => void remove.run(plugin, name, key),
      };
    },
  };
}

function parse<V>(text: string | undefined): V | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as V);
}

/** Runs the migrations of `plugin` the store has not seen yet, each in a transaction with its version bump. */
export function migratePlugin(db: Database, plugin: string, migrations: readonly Migration[]): void {
  const row = db.query<{ version: number }, [string]>("SELECT version FROM plugin_versions WHERE plugin = ?").get(plugin);
  const context = migrationContext(db, plugin);
  for (let v = row?.version ?? 0; v < migrations.length; v++) {
    const migration = migrations[v] as Migration;
    db.transaction(() => {
      migration(context);
      db.run("INSERT OR REPLACE INTO plugin_versions (plugin, version) VALUES (?, ?)", [plugin, v + 1]);
    })();
  }
}

function migrationContext(db: Database, plugin: string): MigrationContext {
  const own = (table: string) => {
    if (!table.startsWith(`${plugin}_`) || !/^[a-z0-9_]+$/.test(table))
      throw new Error(`${plugin} may only migrate its own tables, not ${table}`);
    return table;
  };
  const exists = (table: string) => db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== null;
  return {
    ...pluginStore(db, plugin),
    rows: (table) => (exists(own(table)) ? db.query<Record<string, unknown>, []>(`SELECT * FROM ${table}`).all() : []),
    drop: (table) => void db.run(`DROP TABLE IF EXISTS ${own(table)}`),
  };
}
