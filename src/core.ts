/**
 * What outlives every configuration of a gateway: the store, the metrics registry, the XMPP link
 * and the delivery (with its outbox) over it. A reload swaps routes and plugins (generation/)
 * on top of one core; only a restart replaces it.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import type { Config } from "./features/index.ts";
import type { HealthReport } from "./feature-api.ts";
import { health } from "./health-report.ts";
import type { Logger } from "./log.ts";
import type { MqttStatus } from "./mqtt/types.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { openStoreAt } from "./store/location.ts";
import { storeFile } from "./kit/store-url.ts";
import type { Store } from "./store/types.ts";
import { createOutbox } from "./store/outbox.ts";
import { createStoreHealth } from "./store/store-health.ts";
import { createBarrier } from "./xmpp/barrier.ts";
import { Delivery, type DeliveryOptions } from "./xmpp/delivery.ts";
import { XmppLink, type LinkOptions } from "./xmpp/link.ts";

/** XEP-0199: the ping that confirms delivery (see xmpp/barrier.ts). */
const NS_PING = "urn:xmpp:ping";
/** How often the store is checked (file still there; writable again after a fault). */
const STORE_CHECK_MS = 1_000;

export interface Core {
  readonly store: Store;
  readonly metrics: Metrics;
  readonly link: XmppLink;
  readonly delivery: Delivery;
  /** A failed write to the store: /health reports it degraded until a write succeeds. */
  storeFailed(op: string, err: unknown): void;
  /** Delivers a stanza that must not be lost, counted as sent (201) or queued (202). */
  deliver(stanza: Element): Promise<"sent" | "queued">;
  /** Room in the outbox for every one of `stanzas`, or OUTBOX_FULL (xmpp/delivery.ts `reserve`). */
  reserve(stanzas: readonly Element[]): () => void;
  /** /health, with what the current configuration's plugins report and the MQTT broker connection's state. */
  health(plugins: ReadonlyArray<Record<string, unknown>>, mqtt?: MqttStatus): HealthReport;
  /** Flushes the outbox (bounded), closes the stream and the store. */
  close(flushTimeoutMs: number): Promise<void>;
}

/** `beforeSend`: asked about each queued stanza before the drain sends it (DeliveryOptions). */
export async function createCore(
  config: Config,
  log: Logger,
  createEntity?: LinkOptions["createEntity"],
  beforeSend?: DeliveryOptions["beforeSend"],
): Promise<Core> {
  const store = await openStoreAt(config.store, config.xmpp.component, config.outbox.claim_lease_s * 1000);
  const storeHealth = createStoreHealth(store, storeFile(config.store), log.child({ part: "store" }));
  const metrics = createMetrics({
    outbox: () => ({ depth: delivery.queued, oldestQueuedAt: store.outbox.oldestQueuedAt() }),
    link: () => ({ state: link.status, onlineSince: link.onlineSince }),
  });
  const link = new XmppLink({
    ...linkOptions(config, log),
    onTraffic: (direction, kind) => metrics.stanza(direction, kind),
    ...(createEntity ? { createEntity } : {}),
  });
  const ping = async () => {
    const started = performance.now();
    const answer = await link.request(
      xml("iq", { type: "get", from: config.xmpp.component, to: link.host }, xml("ping", { xmlns: NS_PING })),
    );
    metrics.confirmation((performance.now() - started) / 1000);
    return answer;
  };
  const outbox = createOutbox(store, config.outbox.max_stanzas, storeHealth);
  // The ping rides in the socket write of the stanzas it confirms (xmpp/write-queue.ts).
  const barrier = createBarrier(ping, { schedule: (send) => link.beforeWrite(send) });
  const delivery = new Delivery(link, outbox, barrier, log.child({ part: "outbox" }), {
    component: config.xmpp.component,
    maxStanzaBytes: config.xmpp.max_stanza_bytes,
    beforeSend,
  });
  // Also picks up rows the `stanzagate outbox retry` CLI put back while the link was idle.
  const storeTimer = setInterval(() => {
    void storeHealth.check().then(() => delivery.drain());
  }, STORE_CHECK_MS);
  storeTimer.unref();
  link.on("online", () => metrics.linkOnline());
  link.on("settled", () => void delivery.drain());
  return {
    store,
    metrics,
    link,
    delivery,
    storeFailed: (op, err) => storeHealth.failed(op, err),
    async deliver(stanza) {
      const outcome = await delivery.deliver(stanza);
      metrics.delivery(outcome);
      return outcome;
    },
    reserve: (stanzas) => delivery.reserve(stanzas),
    health: (plugins, mqtt) => health(link, delivery, storeHealth, plugins, mqtt),
    async close(flushTimeoutMs) {
      clearInterval(storeTimer);
      await Promise.race([delivery.drain(), Bun.sleep(flushTimeoutMs)]);
      await link.stop();
      await store.close();
    },
  };
}

export function linkOptions(config: Config, log: Logger): LinkOptions {
  return {
    server: config.xmpp.server,
    ...(config.xmpp.tls ? { tls: config.xmpp.tls } : {}),
    component: config.xmpp.component,
    secret: config.xmpp.secret,
    host: config.xmpp.host,
    ...(config.xmpp.hosts ? { hosts: config.xmpp.hosts } : {}),
    reconnect: config.xmpp.reconnect,
    iqTimeoutMs: config.xmpp.iq_timeout_ms,
    maxStanzaBytes: config.xmpp.max_stanza_bytes,
    log: log.child({ part: "xmpp" }),
  };
}
