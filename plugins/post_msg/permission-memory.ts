/**
 * The last XEP-0356 message permission the server advertised, kept in the gateway's sqlite store
 * so that it outlives a restart: a message accepted while the link is still down after a restart
 * (and queued in the outbox) is then wrapped as the user, as it would have been before the restart.
 */
import type { Database } from "../../src/plugin-api.ts";

export interface PermissionMemory {
  /** true: "outgoing" was granted; false: it was not; undefined: never advertised to this store. */
  load(): boolean | undefined;
  save(granted: boolean): void;
}

export function createPermissionMemory(db: Database, component: string, host: string): PermissionMemory {
  db.exec(`CREATE TABLE IF NOT EXISTS post_msg_message_permission (
    component TEXT NOT NULL,
    host TEXT NOT NULL,
    granted INTEGER NOT NULL,
    advertised_at INTEGER NOT NULL,
    PRIMARY KEY (component, host)
  )`);
  const key = { component: component.toLowerCase(), host: host.toLowerCase() };
  const select = db.query<{ granted: number }, typeof key>("SELECT granted FROM post_msg_message_permission WHERE component = $component AND host = $host");
  const upsert = db.query(
    `INSERT INTO post_msg_message_permission (component, host, granted, advertised_at) VALUES ($component, $host, $granted, $at)
     ON CONFLICT (component, host) DO UPDATE SET granted = excluded.granted, advertised_at = excluded.advertised_at`,
  );
  return {
    load() {
      const row = select.get(key);
      return row === null ? undefined : row.granted === 1;
    },
    save(granted) {
      upsert.run({ ...key, granted: granted ? 1 : 0, at: Date.now() });
    },
  };
}

/** For tests and callers without a store: remembers for the life of the process only. */
export function processMemory(): PermissionMemory {
  let granted: boolean | undefined;
  return { load: () => granted, save: (g) => void (granted = g) };
}
