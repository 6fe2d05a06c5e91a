/**
 * The last XEP-0356 message permission the server advertised, kept in the gateway's sqlite store
 * so that it outlives a restart: a message accepted while the link is still down after a restart
 * (and queued in the outbox) is then wrapped as the user, as it would have been before the restart.
 */
import { isPrivilegeNamespace, type Database, type PrivilegeNamespace } from "../../src/plugin-api.ts";

export interface PermissionMemory {
  /** true: "outgoing" was granted; false: it was not; undefined: never advertised to this store. */
  load(): boolean | undefined;
  /** The XEP-0356 namespace of that advertisement (the wrapper a queued message needs). */
  namespace(): PrivilegeNamespace | undefined;
  save(granted: boolean, namespace?: PrivilegeNamespace): void;
}

export function createPermissionMemory(db: Database, component: string, host: string): PermissionMemory {
  db.exec(`CREATE TABLE IF NOT EXISTS post_msg_message_permission (
    component TEXT NOT NULL,
    host TEXT NOT NULL,
    granted INTEGER NOT NULL,
    advertised_at INTEGER NOT NULL,
    PRIMARY KEY (component, host)
  )`);
  // Added with XEP-0356 namespace support; stores made before lack the column.
  const columns = db.query<{ name: string }, []>("PRAGMA table_info(post_msg_message_permission)").all();
  if (!columns.some((c) => c.name === "namespace")) db.exec("ALTER TABLE post_msg_message_permission ADD COLUMN namespace TEXT");
  const key = { component: component.toLowerCase(), host: host.toLowerCase() };
  const select = db.query<{ granted: number; namespace: string | null }, typeof key>("SELECT granted, namespace FROM post_msg_message_permission WHERE component = $component AND host = $host");
  const upsert = db.query(
    `INSERT INTO post_msg_message_permission (component, host, granted, namespace, advertised_at) VALUES ($component, $host, $granted, $namespace, $at)
     ON CONFLICT (component, host) DO UPDATE SET granted = excluded.granted, namespace = excluded.namespace, advertised_at = excluded.advertised_at`,
  );
  return {
    load() {
      const row = select.get(key);
      return row === null ? undefined : row.granted === 1;
    },
    namespace() {
      const ns = select.get(key)?.namespace ?? undefined;
      return isPrivilegeNamespace(ns) ? ns : undefined;
    },
    save(granted, namespace) {
      upsert.run({ ...key, granted: granted ? 1 : 0, namespace: namespace ?? null, at: Date.now() });
    },
  };
}

/** For tests and callers without a store: remembers for the life of the process only. */
export function processMemory(): PermissionMemory {
  let granted: boolean | undefined;
  let ns: PrivilegeNamespace | undefined;
  return { load: () => granted, namespace: () => ns, save: (g, n) => void ((granted = g), (ns = n)) };
}
