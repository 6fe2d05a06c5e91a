/**
 * What a plugin keeps in the gateway's store: values under string keys, in collections of its
 * own, written as JSON. Plugins never see the database; the engine (src/store/plugin-store.ts)
 * implements this, prefixes everything with the plugin's name, and runs each plugin's migrations
 * once, in order, tracking a schema version per plugin.
 */
export interface Keyed<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
}

export interface PluginStore {
  /** The collection `name` of this plugin; `V` is what the plugin itself writes there. */
  keyed<V>(name: string): Keyed<V>;
}

/**
 * What a migration may do: move a table the plugin created before the keyed API (its name starts
 * with the plugin's name and "_") into collections, and drop it.
 */
export interface MigrationContext extends PluginStore {
  /** The rows of the plugin's own legacy table; none when it does not exist. */
  rows(table: string): Array<Record<string, unknown>>;
  drop(table: string): void;
}

/** One step of a plugin's data; never edit one that shipped, append another. */
export type Migration = (store: MigrationContext) => void;
