/**
 * What the web app listed at the last sync of each user, in the gateway's store.
 *
 * `roster` is the canonical text of the contacts (contacts.ts `canonical`), so "nothing changed"
 * is one string comparison and needs no XMPP round trip. `managed` lists the contact JIDs the
 * gateway has set on the server: only those are removed when the web app stops listing them.
 * `clean` is false after a failed sync, so the next refresh reconciles instead of skipping.
 */
import type { Migration, PluginStore } from "../../src/plugin-api/index.ts";

interface Snapshot {
  roster: string;
  managed: string[];
  clean: boolean;
}

export interface SnapshotStore {
  get(username: string): Snapshot | undefined;
  save(username: string, snapshot: Snapshot): void;
}

const COLLECTION = "snapshots";

export const SNAPSHOT_MIGRATIONS: readonly Migration[] = [
  // Stores of earlier versions kept the snapshots in a table of their own: the rows move over.
  (store) => {
    const snapshots = store.keyed<Snapshot>(COLLECTION);
    for (const row of store.rows("roster_admin_snapshots")) {
      snapshots.set(String(row.username), {
        roster: String(row.roster),
        managed: JSON.parse(String(row.managed)) as string[],
        clean: row.clean === 1,
      });
    }
    store.drop("roster_admin_snapshots");
  },
];

export function createSnapshotStore(store: PluginStore): SnapshotStore {
  const snapshots = store.keyed<Snapshot>(COLLECTION);
  return { get: (username) => snapshots.get(username), save: (username, snapshot) => snapshots.set(username, snapshot) };
}
