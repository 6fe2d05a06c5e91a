/** What /health tells: the link's state and privileges, the store, the outbox, and what plugins report. */
import type { HealthReport } from "./feature-api.ts";
import type { StoreHealth } from "./store/store-health.ts";
import type { Delivery } from "./xmpp/delivery.ts";
import type { XmppLink } from "./xmpp/link.ts";

export function health(
  link: XmppLink,
  delivery: Delivery,
  store: StoreHealth,
  plugins: ReadonlyArray<Record<string, unknown>> = [],
): HealthReport {
  const online = link.status === "online";
  const storeFault = store.fault();
  const ready = online && storeFault === undefined;
  const software = link.serverSoftware();
  return {
    ready,
    body: {
      status: ready ? "ok" : "degraded",
      xmpp: {
        state: link.status,
        ...(link.onlineSince ? { online_since: link.onlineSince.toISOString() } : {}),
        ...(link.lastError ? { last_error: link.lastError } : {}),
        ...(software ? { server: software.version ? `${software.name} ${software.version}` : software.name } : {}),
        privileges: link.privileges(),
        // Every virtual host that advertised grants (each advertises its own, XEP-0356 §4).
        hosts: link.privilegesByHost(),
      },
      store: storeFault === undefined ? { ok: true } : { ok: false, error: storeFault },
      outbox: { queued: delivery.queued, dead: delivery.dead },
      ...(plugins.length > 0 ? { plugins } : {}),
    },
  };
}
