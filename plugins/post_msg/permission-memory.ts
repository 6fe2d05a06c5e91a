/**
 * The last XEP-0356 message permission the server advertised, kept in the gateway's store so that
 * it outlives a restart: a message accepted while the link is still down after a restart (and
 * queued in the outbox) is then wrapped as the user, as it would have been before the restart.
 */
import { isPrivilegeNamespace } from "../../src/kit/privileges.ts";
import type { Migration, PluginStore, PrivilegeNamespace } from "../../src/plugin-api/index.ts";

export interface PermissionMemory {
  /** true: "outgoing" was granted; false: it was not; undefined: never advertised to this store. */
  load(): boolean | undefined;
  /** The XEP-0356 namespace of that advertisement (the wrapper a queued message needs). */
  namespace(): PrivilegeNamespace | undefined;
  save(granted: boolean, namespace?: PrivilegeNamespace): void;
}

/** One advertisement, keyed by "<component> <host>". */
interface Remembered {
  granted: boolean;
  namespace?: string;
}

const COLLECTION = "message_permission";

export const PERMISSION_MIGRATIONS: readonly Migration[] = [
  // Stores of earlier versions kept the permission in a table of their own (its `namespace`
  // column came later, so older rows lack it): the rows move to the keyed store.
  (store) => {
    const permissions = store.keyed<Remembered>(COLLECTION);
    for (const row of store.rows("post_msg_message_permission")) {
      const namespace = typeof row.namespace === "string" ? { namespace: row.namespace } : {};
      permissions.set(`${String(row.component)} ${String(row.host)}`, { granted: row.granted === 1, ...namespace });
    }
    store.drop("post_msg_message_permission");
  },
];

export function createPermissionMemory(store: PluginStore, component: string, host: string): PermissionMemory {
  const permissions = store.keyed<Remembered>(COLLECTION);
  const key = `${component.toLowerCase()} ${host.toLowerCase()}`;
  return {
    load: () => permissions.get(key)?.granted,
    namespace() {
      const ns = permissions.get(key)?.namespace;
      return isPrivilegeNamespace(ns) ? ns : undefined;
    },
    save(granted, namespace) {
      permissions.set(key, { granted, ...(namespace === undefined ? {} : { namespace }) });
    },
  };
}

/** For tests and callers without a store: remembers for the life of the process only. */
export function processMemory(): PermissionMemory {
  let granted: boolean | undefined;
  let ns: PrivilegeNamespace | undefined;
  return { load: () => granted, namespace: () => ns, save: (g, n) => void ((granted = g), (ns = n)) };
}
