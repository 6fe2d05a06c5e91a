/** What /health tells: the link's state and privileges, the store, the outbox, and what plugins report. */
import type { HealthReport } from "./feature-api.ts";
import type { MqttStatus } from "./mqtt/types.ts";
import type { StoreHealth } from "./store/store-health.ts";
import type { Delivery } from "./xmpp/delivery.ts";
import type { XmppLink } from "./xmpp/link.ts";

export function health(
  link: XmppLink,
  delivery: Delivery,
  store: StoreHealth,
  plugins: ReadonlyArray<Record<string, unknown>> = [],
  mqtt?: MqttStatus,
): HealthReport {
  const online = link.status === "online";
  const storeFault = store.fault();
  // A gateway with an `mqtt:` section is ready only with its broker too: its routes and bots need it.
  const ready = online && storeFault === undefined && (mqtt === undefined || mqtt.state === "online");
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
      ...(mqtt ? { mqtt: mqttHealth(mqtt) } : {}),
      ...(plugins.length > 0 ? { plugins } : {}),
    },
  };
}

function mqttHealth(status: MqttStatus): Record<string, unknown> {
  return {
    state: status.state,
    url: status.url,
    client_id: status.clientId,
    since: new Date(status.since).toISOString(),
    ...(status.lastError ? { last_error: status.lastError } : {}),
    ...(status.publishing ? { publishing: publishingHealth(status.publishing) } : {}),
  };
}

/** Shown, not judged: MQTT in and XMPP still work while only publishing is down (those routes answer 503). */
function publishingHealth(status: NonNullable<MqttStatus["publishing"]>): Record<string, unknown> {
  return {
    state: status.state,
    client_id: status.clientId,
    ...(status.lastError ? { last_error: status.lastError } : {}),
  };
}
