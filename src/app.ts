/**
 * Builds a gateway from a frozen config and injected dependencies. It never reads the
 * environment or exits the process (that is main.ts); `listen` and `stop` are the caller's.
 */
import type { Server } from "bun";
import type { Element } from "ltx";
import type { Config } from "./config/load.ts";
import type { Logger } from "./log.ts";
import { GatewayError, errorResponse } from "./errors.ts";
import { createThrottle } from "./engine/auth/throttle.ts";
import { routable } from "./engine/front-door.ts";
import type { RequestNotes } from "./engine/request-log.ts";
import { buildGeneration, type Generation } from "./generation.ts";
import { health } from "./health.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { diffConfigs, type ConfigChanges } from "./reload.ts";
import { openStore } from "./store/db.ts";
import { createOutbox } from "./store/outbox.ts";
import { createStoreHealth } from "./store/store-health.ts";
import { Delivery } from "./xmpp/delivery.ts";
import { createBarrier } from "./xmpp/barrier.ts";
import xml from "@xmpp/xml";
import { XmppLink, type LinkOptions } from "./xmpp/link.ts";

/** XEP-0199: the ping that confirms delivery (see xmpp/barrier.ts). */
const NS_PING = "urn:xmpp:ping";
/** How often the store is checked (file still there; writable again after a fault). */
const STORE_CHECK_MS = 1_000;

export interface GatewayDeps {
  log: Logger;
  /** Tests: a fake XMPP entity instead of a TCP connection (test/helpers/fake-entity.ts). */
  createEntity?: LinkOptions["createEntity"];
}

export interface Gateway {
  readonly link: XmppLink;
  readonly delivery: Delivery;
  /** Handles one HTTP request in-process (tests, and the server's fetch). */
  handle(request: Request): Promise<Response>;
  /** Connects to XMPP and serves HTTP on config.http.listen; resolves with the bound port. */
  listen(): number;
  readonly metrics: Metrics;
  /**
   * Swaps in a new configuration (SIGHUP): new requests use it, requests in flight finish on the
   * old one. Throws, keeping the old one, when it cannot be applied.
   */
  reload(config: Config): Promise<ConfigChanges>;
  /** Stops accepting HTTP, finishes requests in flight, flushes the outbox, closes the stream. */
  stop(options?: { flushTimeoutMs?: number }): Promise<void>;
}

export async function createGateway(config: Config, deps: GatewayDeps): Promise<Gateway> {
  const { log } = deps;
  const store = openStore(config.store);
  const storeHealth = createStoreHealth(store, config.store, log.child({ part: "store" }));
  const oldestQueued = store.query<{ at: number | null }, []>("SELECT min(queued_at) AS at FROM outbox");
  let current: Generation | undefined;
  const retiring = new Set<Generation>();
  const metrics = createMetrics({
    outbox: () => ({ depth: delivery.queued, oldestQueuedAt: oldestQueued.get()?.at ?? undefined }),
    link: () => ({ state: link.status, onlineSince: link.onlineSince }),
  });
  const link = new XmppLink({ ...linkOptions(config, log), onTraffic: (direction, kind) => metrics.stanza(direction, kind), ...(deps.createEntity ? { createEntity: deps.createEntity } : {}) });
  const ping = async () => {
    const started = performance.now();
    const answer = await link.request(xml("iq", { type: "get", from: config.xmpp.component, to: link.host }, xml("ping", { xmlns: NS_PING })));
    metrics.confirmation((performance.now() - started) / 1000);
    return answer;
  };
  const outbox = createOutbox(store, config.outbox.max_stanzas, storeHealth);
  const delivery = new Delivery(link, outbox, createBarrier(ping), log.child({ part: "outbox" }), { component: config.xmpp.component, maxStanzaBytes: config.xmpp.max_stanza_bytes });
  // Also picks up rows the `stanzagate outbox retry` CLI put back while the link was idle.
  const storeTimer = setInterval(() => {
    storeHealth.check();
    void delivery.drain();
  }, STORE_CHECK_MS);
  storeTimer.unref();
  const deliver = async (el: Element) => {
    const outcome = await delivery.deliver(el);
    metrics.delivery(outcome);
    return outcome;
  };
  link.onStanza((el) => void dispatch(el));
  for (const event of ["online", "offline", "privileges", "settled"] as const) link.on(event, () => current?.emit(event));
  link.on("online", () => metrics.linkOnline());
  link.on("settled", () => void delivery.drain());
  // Stanzas answering a retiring generation's requests go to it; everything else to the current one.
  const dispatch = async (el: Element) => {
    for (const old of retiring) if (await old.takeOwn(el)) return;
    await current?.dispatch(el);
  };

  const clientIps = new WeakMap<Request, string>();
  let throttle = createThrottle(config.auth_throttle.max_failures, config.auth_throttle.window_s);
  let ids = 0;
  const idPrefix = Math.random().toString(36).slice(2, 8);
  const common = {
    link, deliver, store, log, metrics, throttle, fetch,
    health: () => health(link, delivery, storeHealth, current?.pluginHealth() ?? []),
    linkOnline: () => link.status === "online",
    ipOf: (request: Request) => clientIps.get(request) ?? "local",
    notes: new WeakMap() as RequestNotes,
    newId: () => `sg-${idPrefix}-${++ids}`,
  };
  current = await buildGeneration({ ...common, config });
  let server: Server<unknown> | undefined;
  let accepting = true;
  const handle = async (request: Request): Promise<Response> => {
    if (!accepting || !current) return errorResponse(new GatewayError("SHUTTING_DOWN"));
    // Everything after this point (request log, metrics, Elysia) parses the URL: give it one it can.
    const routed = routable(request);
    if (routed !== request) clientIps.set(routed, clientIps.get(request) ?? "local");
    return current.handle(routed);
  };
  const bind = (listen: string, maxBody: number) => {
    const { hostname, port } = parseListen(listen);
    return Bun.serve({
      hostname,
      port,
      maxRequestBodySize: bunBodyBackstop(maxBody),
      fetch(req, srv) {
        clientIps.set(req, srv.requestIP(req)?.address ?? "unknown");
        return handle(req);
      },
      // Only reached if `handle` itself throws: still a JSON answer, and the stack in the log.
      error(err) {
        log.error("unhandled HTTP error", { err });
        return errorResponse(err);
      },
    });
  };
  const retire = (old: Generation) => {
    retiring.add(old);
    void old.retire(RETIRE_TIMEOUT_MS).catch((err: unknown) => log.error("stopping the old plugins failed", { err })).finally(() => retiring.delete(old));
  };

  return {
    link,
    delivery,
    metrics,
    handle,
    listen() {
      link.start();
      server = bind(config.http.listen, config.http.max_body_bytes);
      return server.port ?? parseListen(config.http.listen).port;
    },
    async reload(next) {
      const old = current as Generation;
      const changes = diffConfigs(old.config, next);
      if (changes.refused.length) throw new GatewayError("BAD_REQUEST", changes.refused.join("; "));
      if (changes.throttle) throttle = createThrottle(next.auth_throttle.max_failures, next.auth_throttle.window_s);
      const fresh = await buildGeneration({ ...common, throttle, config: next });
      if (changes.listen && server) {
        let rebound: Server<unknown>;
        try {
          rebound = bind(next.http.listen, next.http.max_body_bytes);
        } catch (err) {
          await fresh.retire(0);
          throw err;
        }
        void server.stop(false);
        server = rebound;
      }
      current = fresh;
      retire(old);
      if (changes.xmpp) await link.reconfigure(linkOptions(next, log));
      return changes;
    },
    async stop({ flushTimeoutMs = 5_000 } = {}) {
      accepting = false;
      clearInterval(storeTimer);
      await server?.stop(false);
      const generations = [...retiring, ...(current ? [current] : [])];
      await Promise.all(generations.map((g) => g.retire(10_000)));
      await Promise.race([delivery.drain(), Bun.sleep(flushTimeoutMs)]);
      await link.stop();
      store.close();
    },
  };
}

/** Longest wait for a replaced configuration's requests in flight before its plugins stop. */
const RETIRE_TIMEOUT_MS = 30_000;

function linkOptions(config: Config, log: Logger): LinkOptions {
  return {
    server: config.xmpp.server,
    ...(config.xmpp.tls ? { tls: config.xmpp.tls } : {}),
    component: config.xmpp.component,
    secret: config.xmpp.secret,
    host: config.xmpp.host,
    reconnect: config.xmpp.reconnect,
    iqTimeoutMs: config.xmpp.iq_timeout_ms,
    maxStanzaBytes: config.xmpp.max_stanza_bytes,
    log: log.child({ part: "xmpp" }),
  };
}

/**
 * "127.0.0.1:5280", "[::1]:5280" or ":5280" (all interfaces). The form was checked when the
 * config loaded, so the last colon always separates host and port.
 */
function parseListen(listen: string): { hostname: string; port: number } {
  const colon = listen.lastIndexOf(":");
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { hostname: host || "0.0.0.0", port: Number(listen.slice(colon + 1)) };
}

/**
 * Bun's own body limit, kept as a backstop well above http.max_body_bytes: below it the gateway
 * answers a JSON 413 itself (front-door.ts); past it Bun answers a bare 413 before any JS runs.
 */
const BUN_BACKSTOP_FACTOR = 4;
const BUN_BACKSTOP_MIN_MARGIN = 1_048_576;

function bunBodyBackstop(maxBodyBytes: number): number {
  return Math.max(maxBodyBytes * BUN_BACKSTOP_FACTOR, maxBodyBytes + BUN_BACKSTOP_MIN_MARGIN);
}
