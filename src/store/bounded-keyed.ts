/**
 * Keyed values of one group, bounded: an MQTT route's `on_change:` value per topic, a watching
 * bot job's last run per topic. The topics come from publishers, and one that invents a topic per
 * message under `#` would otherwise grow the store without end. Past `max` keys in the group the
 * least recently written tenth is forgotten (that topic's next message compares with nothing),
 * deleted through to the store and counted through `forgotten`: one cut per tenth, not one per
 * new topic, so a burst of new topics costs one batch of deletes per `max / 10` of them.
 *
 * The values stay the feature store's own (plugin-store.ts): the same keys read the same values,
 * and what the store held before (read when it opened, oldest written first) counts in the bound
 * and is forgotten first. The recency order is kept here, in memory, as the values are.
 */
import type { Keyed } from "../plugin-api/store.ts";
import type { HeldKeyed } from "./plugin-store.ts";

export interface BoundedKeyedOptions {
  /** What every key of the group starts with (`["route",`, `bot job `). */
  prefix: string;
  max: number;
  /** Told how many keys a write pushed out. */
  forgotten(keys: number): void;
}

export function boundedKeyed<V>(keyed: HeldKeyed<V>, options: BoundedKeyedOptions): Keyed<V> {
  const { prefix, max } = options;
  // Oldest written first: a key written again moves to the end.
  const order = new Set([...keyed.keys()].filter((key) => key.startsWith(prefix)));
  const keep = max - Math.floor(max / 10);
  const cut = () => {
    let forgotten = 0;
    for (const key of order) {
      if (order.size <= keep) break;
      order.delete(key);
      // Deleted meanwhile through another view of the collection: nothing to forget.
      if (keyed.get(key) === undefined) continue;
      keyed.delete(key);
      forgotten++;
    }
    if (forgotten > 0) options.forgotten(forgotten);
  };
  return {
    get: (key) => keyed.get(key),
    set(key, value) {
      if (!key.startsWith(prefix)) throw new Error(`${key} is not a key of the group ${prefix}`);
      keyed.set(key, value);
      order.delete(key);
      order.add(key);
      if (order.size > max) cut();
    },
    delete(key) {
      order.delete(key);
      keyed.delete(key);
    },
  };
}
