/**
 * The plugins' store (src/plugin-api/store.ts) over the gateway's store: JSON values keyed by
 * plugin, collection and key, and a version per plugin so each plugin's migrations run once. A
 * plugin reaches only its own rows and its own legacy tables.
 *
 * The plugin API is synchronous (a value is read in the middle of building a stanza), the store
 * is not (store/types.ts): a plugin's values are read once when its store is opened, served from
 * memory, and every write goes through to the store at once. On SQLite the write is done when
 * `set` returns; on PostgreSQL it lands within a round trip, and a failed one is reported to the
 * store's health (`failed`). With replicas sharing a PostgreSQL store, what the others write is
 * applied to the memory as they announce it (store/keyed-view.ts, postgres/keyed.ts).
 */
import type { Keyed, Migration, MigrationContext, PluginStore } from "../plugin-api/store.ts";
import { collection, type KeyedView, keyedView, type Values } from "./keyed-view.ts";
import type { KeyedWrite, Store } from "./types.ts";

/** The name a feature's `ctx.store` has among the plugins' (generation/running.ts). */
export const featureStoreName = (feature: string): string => `(${feature})`;

/** Told of a write that failed (the gateway's store health): the value stays in memory only. */
export type StoreFailed = (op: string, err: unknown) => void;

/** A collection as the engine serves it: also the keys it holds (store/bounded-keyed.ts seeds from them). */
export interface HeldKeyed<V> extends Keyed<V> {
  /** The store's keys oldest written first (when opened), then those new since, in the order first written. */
  keys(): IterableIterator<string>;
}

/** A collection that can also be asked what the store holds now (another replica may have written it since). */
interface FreshKeyed<V> extends HeldKeyed<V> {
  /** The value of `key` read from the store, and kept in this view unless it holds a newer one. */
  fresh(key: string): Promise<V | undefined>;
}

/** A feature's store (feature-api.ts): a plugin store whose collections list their keys and read fresh. */
export interface FeatureStore extends PluginStore {
  keyed<V>(name: string): FreshKeyed<V>;
}

/** The engine's side of a plugin store: when the writes made so far are in the store. */
export interface EnginePluginStore extends FeatureStore {
  flushed(): Promise<void>;
}

/** `failed`: by default the write's error is thrown again (an unhandled rejection: tests see it). */

export async function pluginStore(store: Store, plugin: string, failed: StoreFailed = rethrow): Promise<EnginePluginStore> {
  const values: Values = new Map();
  const view = keyedView(values);
  // Before the read: what another replica writes meanwhile is not missed (the newer rev stays).
  await followOthers(store, plugin, view, failed);
  for (const row of await store.keyed.all(plugin)) view.offer(row.collection, row.key, row.json, row.rev ?? 0);
  // Started at once (SQLite: done when set returns); the store applies its keyed writes in call order.
  let last: Promise<unknown> = Promise.resolve();
  const keyed = inMemory(values, (w) => {
    const done = view.wrote(w);
    const write = store.keyed.put({ plugin, collection: w.collection, key: w.key }, w.json).then(done, (err: unknown) => {
      done(undefined);
      failed(`writing ${plugin}'s keyed values`, err);
    });
    last = Promise.all([last, write]);
  });
  return {
    keyed<V>(name: string): FreshKeyed<V> {
      const held = keyed.keyed<V>(name);
      return {
        ...held,
        async fresh(key) {
          const row = await store.keyed.read({ plugin, collection: name, key });
          if (row) view.offer(name, key, row.json, row.rev);
          return held.get(key);
        },
      };
    },
    flushed: async () => void (await last),
  };
}

/**
 * Other replicas' writes of `plugin`'s values, applied to `view` while the view is in use: the
 * listener holds the view weakly and stops once a reload has let go of it. After the listener
 * was away, the view reads every value again (what was announced meanwhile is lost).
 */
async function followOthers(store: Store, plugin: string, view: KeyedView, failed: StoreFailed): Promise<void> {
  const held = new WeakRef(view);
  let stop: (() => void) | undefined;
  const alive = () => held.deref() ?? void stop?.();
  stop = await store.keyed.follow(
    (change) => {
      const v = alive();
      if (v && change.plugin === plugin) v.offer(change.collection, change.key, change.json, change.rev);
    },
    () =>
      void alive()
        ?.resync(() => store.keyed.all(plugin))
        .catch((err: unknown) => failed(`reading ${plugin}'s keyed values again`, err)),
  );
}

const rethrow: StoreFailed = (_op, err) => {
  throw err;
};

/** Keyed values served from `values`, each write applied there and handed to `write`. */
function inMemory(values: Values, write: (w: KeyedWrite) => void): { keyed<V>(name: string): HeldKeyed<V> } {
  return {
    keyed<V>(name: string): HeldKeyed<V> {
      const c = collection(values, name);
      return {
        // The plugin wrote this value as a V (or its migration did): JSON gives it back as one.
        get: (key) => parse<V>(c.get(key)),
        set(key, value) {
          const json = JSON.stringify(value);
          c.set(key, json);
          write({ collection: name, key, json });
        },
        delete(key) {
          c.delete(key);
          write({ collection: name, key, json: undefined });
        },
        keys: () => c.keys(),
      };
    },
  };
}

function parse<V>(text: string | undefined): V | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as V);
}

/**
 * Runs the migrations of `plugin` the store has not seen yet. Each runs over what the store holds
 * (its values and legacy tables, read first) and its writes are committed with its version bump
 * in one transaction, so a migration that throws leaves nothing half done.
 */
export async function migratePlugin(store: Store, plugin: string, migrations: readonly Migration[]): Promise<void> {
  const from = await store.keyed.version(plugin);
  if (from >= migrations.length) return;
  const values: Values = new Map();
  for (const row of await store.keyed.all(plugin)) collection(values, row.collection).set(row.key, row.json);
  const legacy = await store.keyed.legacyTables(plugin);
  for (let v = from; v < migrations.length; v++) {
    const writes: KeyedWrite[] = [];
    const drops: string[] = [];
    (migrations[v] as Migration)(
      migrationContext(
        plugin,
        inMemory(values, (w) => writes.push(w)),
        legacy,
        drops,
      ),
    );
    await store.keyed.migrated(plugin, v + 1, writes, drops);
  }
}

function migrationContext(
  plugin: string,
  keyed: PluginStore,
  legacy: Map<string, Array<Record<string, unknown>>>,
  drops: string[],
): MigrationContext {
  const own = (table: string) => {
    if (!table.startsWith(`${plugin}_`) || !/^[a-z0-9_]+$/.test(table))
      throw new Error(`${plugin} may only migrate its own tables, not ${table}`);
    return table;
  };
  return {
    ...keyed,
    rows: (table) => legacy.get(own(table)) ?? [],
    drop(table) {
      drops.push(own(table));
      legacy.delete(table);
    },
  };
}
