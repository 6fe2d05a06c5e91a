/** What /health tells: the link's state and privileges, and the outbox. */
import type { HealthReport } from "./engine/http.ts";
import type { Delivery } from "./xmpp/delivery.ts";
import type { XmppLink } from "./xmpp/link.ts";

export function health(link: XmppLink, delivery: Delivery): HealthReport {
  const online = link.status === "online";
  return {
    ready: online,
    body: {
      status: online ? "ok" : "degraded",
      xmpp: {
        state: link.status,
        ...(link.onlineSince ? { online_since: link.onlineSince.toISOString() } : {}),
        ...(link.lastError ? { last_error: link.lastError } : {}),
        privileges: link.privileges(),
      },
      outbox: { queued: delivery.queued },
    },
  };
}

