/**
 * Keyed values of one group, bounded: an MQTT route's `on_change:` value per topic, a watching
 * bot job's last run per topic. The topics come from publishers, and one that invents a topic per
 * message under `#` would otherwise grow the store without end. Past `max` rows in the group the
 * least recently written tenth is forgotten (that topic's next message compares with nothing),
 * and counted through `forgotten`: one scan of the group per tenth, not one per new topic. The rows are the plugin store's own (plugin-store.ts): the
 * same keys read the same values, and what was kept before the bound still counts in it.
 */
import type { Database } from "bun:sqlite";
import type { Keyed } from "../plugin-api/store.ts";

export interface BoundedKeyedOptions {
  /** The plugin store's name, as plugin-store.ts keys it (`featureStoreName`). */
  plugin: string;
  collection: string;
  /** What every key of the group starts with; it ends with an ASCII character (`["route",`, `bot job `). */
  prefix: string;
  max: number;
  /** Told how many rows a write pushed out. */
  forgotten(rows: number): void;
  now?: () => number;
}

export function boundedKeyed<V>(db: Database, options: BoundedKeyedOptions): Keyed<V> {
  const { plugin, collection, prefix, max, now = Date.now } = options;
  // The keys of the group are those from `prefix` up to the prefix with its last character one higher.
  const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const inGroup = "plugin = ? AND collection = ? AND key >= ? AND key < ?";
  const group = [plugin, collection, prefix, upper] as const;
  const select = db.query<{ value: string }, [string, string, string]>(
    "SELECT value FROM plugin_data WHERE plugin = ? AND collection = ? AND key = ?",
  );
  const upsert = db.query("INSERT OR REPLACE INTO plugin_data (plugin, collection, key, value, updated_at) VALUES (?, ?, ?, ?, ?)");
  const remove = db.query("DELETE FROM plugin_data WHERE plugin = ? AND collection = ? AND key = ?");
  const count = db.query<{ rows: number }, [string, string, string, string]>(`SELECT count(*) AS rows FROM plugin_data WHERE ${inGroup}`);
  // A replaced row gets a new rowid: rowid orders writes of the same millisecond.
  const evict = db.query(
    `DELETE FROM plugin_data WHERE rowid IN (SELECT rowid FROM plugin_data WHERE ${inGroup} ORDER BY updated_at, rowid LIMIT ?)`,
  );
  // New rows written since the group was last counted: counted again only once it may be over.
  let estimate: number | undefined;
  const write = db.transaction((key: string, text: string): number => {
    const fresh = select.get(plugin, collection, key) === null;
    upsert.run(plugin, collection, key, text, now());
    if (!fresh) return 0;
    estimate = estimate === undefined ? rows() : estimate + 1;
    if (estimate <= max) return 0;
    // Another generation's instance may have written too: the group is counted before it is cut.
    const actual = rows();
    const keep = max - Math.floor(max / 10);
    estimate = actual <= max ? actual : keep;
    if (actual <= max) return 0;
    evict.run(...group, actual - keep);
    return actual - keep;
  });
  const rows = () => count.get(...group)?.rows ?? 0;
  return {
    get: (key) => {
      const text = select.get(plugin, collection, key)?.value;
      return text === undefined ? undefined : (JSON.parse(text) as V);
    },
    set: (key, value) => {
      if (!key.startsWith(prefix)) throw new Error(`${key} is not a key of the group ${prefix}`);
      const pushedOut = write(key, JSON.stringify(value));
      if (pushedOut > 0) options.forgotten(pushedOut);
    },
    delete: (key) => void remove.run(plugin, collection, key),
  };
}
