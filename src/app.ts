/**
 * Builds a gateway from a frozen config and injected dependencies. It never reads the
 * environment or exits the process (that is main.ts); `listen` and `stop` are the caller's.
 *
 * A gateway is a core that outlives configurations (store, metrics, link, delivery: core.ts),
 * the listening socket (http/server.ts), and the current generation of the configuration
 * (routes, auth, plugins: generation/), which a reload replaces while older ones retire.
 */
import { closeTopics } from "./generation/topics.ts";
import { closeMqtt, mqttStatus } from "./generation/mqtt.ts";
import type { Element } from "ltx";
import type { Config } from "./features/index.ts";
import type { Logger } from "./log.ts";
import { GatewayError, errorResponse } from "./plugin-api/errors.ts";
import { createThrottle, type Throttle } from "./auth/throttle.ts";
import { IN_PROCESS_PEER } from "./http/request-context.ts";
import { fileBodyLimit } from "./files/service.ts";
import { buildGeneration, type Generation, type GenerationDeps } from "./generation/index.ts";
import { createCore, linkOptions, type Core } from "./core.ts";
import { createHttpServer, STOP_GRACE_MS, type Rebound } from "./http/server.ts";
import { Rooms } from "./rooms/rooms.ts";
import type { Metrics } from "./metrics.ts";
import { diffConfigs, type ConfigChanges } from "./reload.ts";
import type { Delivery } from "./xmpp/delivery.ts";
import type { LinkOptions, XmppLink } from "./xmpp/link.ts";

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

/** Longest wait for a replaced configuration's requests in flight before its plugins stop. */
const RETIRE_TIMEOUT_MS = 30_000;

export async function createGateway(config: Config, deps: GatewayDeps): Promise<Gateway> {
  const { log } = deps;
  // Queued groupchat needs the current configuration's rooms (the routes feature's `beforeSend`).
  const core = await createCore(config, log, deps.createEntity, (stanza) => generations.current?.beforeSend(stanza));
  const generations = createGenerations(core.link, log);
  let accepting = true;
  // Requests from the socket and in-process ones alike: the current generation lets them in. Not
  // an async function: returning the generation's promise from one costs two more promise jobs.
  const handle = (request: Request, peer = IN_PROCESS_PEER): Promise<Response> => {
    const current = generations.current;
    if (!accepting || !current) return Promise.resolve(errorResponse(new GatewayError("SHUTTING_DOWN")));
    return current.handle(request, peer);
  };
  const http = createHttpServer(handle, log);
  let throttle = newThrottle(config);
  const common = sharedDeps(core, config, log, () => generations.current?.pluginHealth() ?? []);
  generations.swap(await buildGeneration({ ...common, throttle, config }));

  return {
    link: core.link,
    delivery: core.delivery,
    metrics: core.metrics,
    handle,
    listen() {
      core.link.start();
      return http.bind(listenSettings(config));
    },
    async reload(next) {
      const changes = diffConfigs((generations.current as Generation).config, next, config);
      if (changes.refused.length) throw new GatewayError("BAD_REQUEST", changes.refused.join("; "));
      if (changes.throttle) throttle = newThrottle(next);
      // What features hand over (the routes' seats) passes to the new configuration before the old one retires.
      const fresh = await buildGeneration({ ...common, throttle, config: next, handover: generations.current?.handover() });
      // Every reload reads http.tls's files again: a renewed certificate keeps its path.
      const socket = rebindOrRetire(() => http.rebind(listenSettings(next)), fresh);
      generations.swap(fresh);
      if (changes.xmpp) await core.link.reconfigure(linkOptions(next, log));
      return { ...changes, certificate: socket === "certificate_reloaded" };
    },
    async stop({ flushTimeoutMs = 5_000 } = {}) {
      accepting = false;
      // A subscriber's stream never ends by itself: the listener would wait for it forever.
      closeTopics(common.kept);
      await http.stop();
      // Before the routes retire: their subscriptions closing would unsubscribe them at the broker,
      // and the persistent session would keep nothing for the next start (issue 23 §4). Before the
      // link closes: a message being handled gets its stanza confirmed and its PUBACK, or neither.
      await closeMqtt(common.kept, STOP_GRACE_MS);
      await generations.retireAll(10_000);
      disposeKept(common.kept);
      common.rooms.stop();
      await core.close(flushTimeoutMs);
    },
  };
}

/** What every generation shares with the core. */
function sharedDeps(
  core: Core,
  config: Config,
  log: Logger,
  pluginHealth: () => ReadonlyArray<Record<string, unknown>>,
): Omit<GenerationDeps, "config" | "throttle"> {
  let ids = 0;
  const idPrefix = Math.random().toString(36).slice(2, 8);
  const kept = new Map<string, unknown>();
  return {
    link: core.link,
    deliver: (el: Element) => core.deliver(el),
    reserve: (stanzas) => core.reserve(stanzas),
    store: core.store,
    storeFailed: (op, err) => core.storeFailed(op, err),
    log,
    metrics: core.metrics,
    fetch,
    health: () => core.health(pluginHealth(), mqttStatus(kept)),
    linkOnline: () => core.link.status === "online",
    newId: () => `sg-${idPrefix}-${++ids}`,
    kept,
    // The rooms outlive a reload, as the link does (rooms/rooms.ts).
    rooms: new Rooms({
      send: async (el) => {
        if (core.link.status !== "online") throw new GatewayError("LINK_DOWN");
        await core.link.send(el);
      },
      maxRooms: config.xmpp.max_rooms,
      log: log.child({ part: "rooms" }),
    }),
  };
}

/** What the generations kept that ends with the gateway (a store in memory's files folder: generation/files.ts). */
function disposeKept(kept: ReadonlyMap<string, unknown>): void {
  for (const value of kept.values()) {
    if (typeof value === "object" && value !== null && Symbol.dispose in value) (value as Disposable)[Symbol.dispose]();
  }
}

function newThrottle(config: Config): Throttle {
  return createThrottle(config.auth_throttle.max_failures, config.auth_throttle.window_s);
}

/** A new address that cannot be bound fails the reload, after the fresh generation is stopped. */
function rebindOrRetire(rebind: () => Rebound, fresh: Generation): Rebound {
  try {
    return rebind();
  } catch (err) {
    void fresh.retire(0);
    throw err;
  }
}

/**
 * The current generation, and the retiring ones still finishing their requests. Stanzas that
 * answer a retiring generation's own requests go to it; everything else to the current one.
 */
function createGenerations(link: XmppLink, log: Logger) {
  let current: Generation | undefined;
  const retiring = new Set<Generation>();
  link.onStanza(async (el) => {
    for (const old of retiring) if (await old.takeOwn(el)) return;
    await current?.dispatch(el);
  });
  for (const event of ["online", "offline", "privileges", "settled"] as const) link.on(event, () => current?.emit(event));
  return {
    get current() {
      return current;
    },
    swap(fresh: Generation) {
      const old = current;
      current = fresh;
      if (!old) return;
      retiring.add(old);
      void old
        .retire(RETIRE_TIMEOUT_MS)
        .catch((err: unknown) => log.error("stopping the old plugins failed", { err }))
        .finally(() => {
          retiring.delete(old);
          log.debug("the replaced configuration stopped");
        });
    },
    async retireAll(timeoutMs: number) {
      const all = [...retiring, ...(current ? [current] : [])];
      await Promise.all(all.map((g) => g.retire(timeoutMs)));
    },
  };
}

/** The socket's settings: its body backstop (server.ts) above the largest body a route takes, files included. */
function listenSettings(config: Config): Config["http"] {
  if (config.http.public_url === undefined) return config.http;
  return { ...config.http, max_body_bytes: Math.max(config.http.max_body_bytes, fileBodyLimit(config.attachments)) };
}
