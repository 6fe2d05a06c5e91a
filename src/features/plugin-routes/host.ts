/** What a plugin is given: the context `setup` receives, with its store migrated and its permissions watched. */
import type { PluginRouteConfig } from "./types.ts";
import type { Logger } from "../../log.ts";
import type { Authenticator } from "../../auth/types.ts";
import type { HttpRegistrar, PluginInstance, PluginMetrics, XmppPort } from "../../plugin-api/index.ts";
import { migratePlugin, pluginStore } from "../../store/plugin-store.ts";
import { isGranted, onGrants } from "../../kit/privileges.ts";
import type { PrivilegeNeed } from "../../plugin-api/privileges.ts";
import type { Store } from "../../store/types.ts";

export interface PluginDeps {
  xmpp: XmppPort;
  registry: HttpRegistrar;
  store: Store;
  /** A failed write of the plugin's keyed values, for /health. */
  storeFailed(op: string, err: unknown): void;
  log: Logger;
  fetch: typeof fetch;
  /** The facility for one plugin (see metrics.ts forPlugin). */
  metrics: (plugin: string) => PluginMetrics;
}

export async function setupPlugin(route: PluginRouteConfig, auth: Authenticator | undefined, deps: PluginDeps): Promise<PluginInstance> {
  await migratePlugin(deps.store, route.plugin.name, route.plugin.migrations ?? []);
  const log = deps.log.child({ plugin: route.plugin.name, route: route.at });
  warnMissingPrivileges(deps.xmpp, route.plugin.privileges?.(route.options, deps.xmpp) ?? [], log);
  return route.plugin.setup({
    options: route.options,
    route: { path: route.path, auth, at: route.at },
    xmpp: deps.xmpp,
    http: deps.registry,
    store: await pluginStore(deps.store, route.plugin.name, deps.storeFailed),
    log,
    fetch: deps.fetch,
    metrics: deps.metrics(route.plugin.name),
  });
}

/**
 * Once this connection's grants are known, one warning per missing permission a plugin declared;
 * said again only after it was granted and then lost (a reconnect with the same grants is quiet).
 */
function warnMissingPrivileges(xmpp: XmppPort, needs: readonly PrivilegeNeed[], log: Logger): void {
  if (needs.length === 0) return;
  const told = new Map<PrivilegeNeed, boolean>();
  onGrants(xmpp, (granted) => {
    for (const need of needs) {
      const ok = isGranted(need, granted);
      if (!ok && told.get(need) !== false) {
        log.warn(`no XEP-0356 ${need.access} permission "${need.types.join('" or "')}": ${need.without}`, {
          granted: granted[need.access],
          ...need.fields,
        });
      }
      told.set(need, ok);
    }
  });
}
