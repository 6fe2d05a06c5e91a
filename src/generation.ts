/**
 * One generation of the configuration: what a reload replaces as a whole. Its auth schemes, every
 * feature's runtime (src/features/), each route started by its kind's feature (plugins with their
 * stanza handlers and link listeners among them), and the HTTP app over what they registered. The
 * store, the XMPP link, the outbox and the metrics registry are the gateway's and outlive it.
 *
 * Built in this order: the features, the generation's link listeners, the routes in file order,
 * the HTTP app; then `ready` (what runs by itself, scheduled jobs, starts only once all of it
 * stands). A retiring generation starts nothing new (`quiesce`), finishes its requests in flight,
 * stops its routes, then its features in reverse; until then it still takes the answers to its own
 * requests (StanzaRouter.takeOwn). A generation that fails to build is undone the same way.
 */
import type { Database } from "bun:sqlite";
import type { Element } from "ltx";
import type { Config } from "./features/index.ts";
import { FEATURE_REGISTRY } from "./features/index.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { Authenticator } from "./auth/types.ts";
import type { Throttle } from "./auth/throttle.ts";
import { authenticatorOf } from "./auth/authenticators.ts";
import type { LinkEvent, XmppPort } from "./plugin-api/index.ts";
import type { FeatureContext, FeatureRuntime, GatewayPorts, HealthReport, RouteBase, RouteStop } from "./feature-api.ts";
import { GatewayError } from "./plugin-api/errors.ts";
import { pluginStore } from "./store/plugin-store.ts";
import { createHttpApp, createRegistry } from "./http/app.ts";
import { observeRequests } from "./http/request-log.ts";
import { clientAddresses } from "./http/client-address.ts";
import { enter, routeMatcher, type Door } from "./http/front-door.ts";
import { noteIdentity } from "./http/request-context.ts";
import { xmppPort } from "./xmpp/port.ts";
import type { XmppLink } from "./xmpp/link.ts";
import { StanzaRouter } from "./xmpp/router.ts";
import type { Rooms } from "./rooms/rooms.ts";
import { GenerationRooms } from "./rooms/generation-rooms.ts";

export interface GenerationDeps {
  config: Config;
  link: XmppLink;
  /** Delivery, counted as sent (201) or queued (202). */
  deliver(stanza: Element): Promise<"sent" | "queued">;
  store: Database;
  /** A failed write to the store, for /health (core.ts). */
  storeFailed(op: string, err: unknown): void;
  log: Logger;
  metrics: Metrics;
  fetch: typeof fetch;
  throttle: Throttle;
  health(): HealthReport;
  /** Whether the component link is up (the xmpp auth scheme's offline grace). */
  linkOnline(): boolean;
  newId(): string;
  /** What features keep across generations, by feature (FeatureContext.gateway.keep). */
  kept: Map<string, unknown>;
  /** The gateway's rooms, which outlive a generation as the link does (rooms/rooms.ts). */
  rooms: Rooms;
  /** What each feature's runtime of the configuration this one replaces handed over (a reload), by feature. */
  handover?: ReadonlyMap<string, unknown> | undefined;
}

export interface Generation {
  readonly config: Config;
  /** Lets a request from `peer` in (front-door.ts) and answers it. */
  handle(request: Request, peer: string): Promise<Response>;
  /** A stanza from the link while this generation is current. */
  dispatch(stanza: Element): Promise<void>;
  /** A stanza offered to a retiring generation: answers to its own requests only. */
  takeOwn(stanza: Element): Promise<boolean>;
  emit(event: LinkEvent): void;
  readonly inFlight: number;
  /** Starts nothing new, waits (bounded) for the requests in flight, then stops its routes and features. */
  retire(timeoutMs: number): Promise<void>;
  /** The entries the features give /health's `plugins` list (the plugins' PluginInstance.health), in route order. */
  pluginHealth(): Array<Record<string, unknown>>;
  /** What each feature hands the configuration that replaces this one (FeatureRuntime.handover). */
  handover(): ReadonlyMap<string, unknown>;
  /** A queued stanza about to be sent (DeliveryOptions.beforeSend). */
  beforeSend(stanza: string): Promise<string | undefined> | undefined;
}

export async function buildGeneration(deps: GenerationDeps): Promise<Generation> {
  const { config, log } = deps;
  const router = new StanzaRouter(config.xmpp.component, (el) => void deps.link.send(el).catch(() => {}), log.child({ part: "router" }));
  const listeners = new Map<LinkEvent, Array<() => void>>();
  const on = (event: LinkEvent, listener: () => void) => void listeners.set(event, [...(listeners.get(event) ?? []), listener]);
  const port = xmppPort(config, deps.link, { deliver: deps.deliver }, router);
  const rooms = new GenerationRooms(deps.rooms, {
    claim: (address, handler) => router.add(handler, { address }),
    maxRooms: config.xmpp.max_rooms,
  });
  const xmpp: XmppPort = { ...port, on, rooms };
  const registry = createRegistry();
  const running = new Running();
  let http: HttpSide;
  try {
    running.features = await startFeatures(deps, { xmpp, router, registry, authenticators: createAuthenticators(deps) });
    on("offline", () => rooms.offline());
    // Before any plugin's listeners, as the routes' rooms and the bots' are the gateway's own.
    // Features enter their rooms again first (routes, then bots), so that the rooms left behind are not left once more.
    for (const { runtime } of running.features) if (runtime.online) on("online", () => runtime.online?.());
    on("online", () => rooms.online());
    for (const route of config.routes) running.routeStops.push((await runtimeOf(running.features, route).route?.(route)) ?? undefined);
    http = httpSide(deps, registry, running.features);
  } catch (err) {
    // A generation that fails to build gives back the seats its features took, and leaves no timer.
    await running.stop();
    rooms.stop();
    throw err;
  }
  const runtimes = running.features;
  let retired: Promise<void> | undefined;
  // Started last, so a generation that fails to build leaves nothing running by itself.
  for (const { runtime } of runtimes) runtime.ready?.();
  return {
    config,
    handle: (request, peer) => http.handle(request, peer),
    dispatch: (stanza) => router.dispatch(stanza),
    takeOwn: (stanza) => router.takeOwn(stanza),
    emit: (event) => {
      for (const listener of listeners.get(event) ?? []) listener();
    },
    get inFlight() {
      return http.inFlight;
    },
    pluginHealth: () => runtimes.flatMap(({ runtime }) => runtime.health?.() ?? []),
    handover: () => new Map(runtimes.flatMap(({ name, runtime }) => (runtime.handover ? [[name, runtime.handover()]] : []))),
    beforeSend: (stanza) => beforeSend(runtimes, stanza),
    // Once: a reload and a shutdown may both retire the same generation.
    retire(timeoutMs) {
      retired ??= (async () => {
        running.quiesce();
        const deadline = Date.now() + timeoutMs;
        while (http.inFlight > 0 && Date.now() < deadline) await Bun.sleep(10);
        await running.stop();
        // Gives back this generation's seats only: rooms the next one holds too are not left.
        rooms.stop();
      })();
      return retired;
    },
  };
}

interface Started {
  name: string;
  runtime: FeatureRuntime;
}

interface HttpSide {
  /** Lets a request from `peer` in and answers it: the features' endpoints first, then the app. */
  handle(request: Request, peer: string): Promise<Response>;
  readonly inFlight: number;
}

/** The HTTP app over what the features and routes registered, behind the front door and the request log. */
function httpSide(deps: GenerationDeps, registry: ReturnType<typeof createRegistry>, runtimes: readonly Started[]): HttpSide {
  const { config, log } = deps;
  const app = createHttpApp({
    routes: registry.all,
    cors: config.http.cors,
    maxBodyBytes: config.http.max_body_bytes,
    log: log.child({ part: "http" }),
  });
  const endpoints = runtimes.flatMap(({ runtime }) => runtime.endpoints ?? []);
  // Probes (health, scrapes) are logged at debug when they succeed (request-log.ts).
  const probes = [...registry.all.filter((r) => r.probe).map((r) => r.path), ...endpoints.filter((e) => e.probe).map((e) => e.path)];
  const door: Door = {
    maxBodyBytes: config.http.max_body_bytes,
    clientAddress: clientAddresses(config.http),
    routeOf: routeMatcher([...endpoints.map(({ path }) => ({ method: "GET", path })), ...registry.all]),
  };
  let inFlight = 0;
  const serve = observeRequests(
    async (request) => {
      inFlight++;
      try {
        for (const endpoint of endpoints) {
          const answer = await endpoint.handle(request);
          if (answer) return answer;
        }
        return await app.handle(request);
      } finally {
        inFlight--;
      }
    },
    { log: log.child({ part: "http" }), metrics: deps.metrics, probes: new Set(probes) },
  );
  return {
    handle: (request, peer) => serve(enter(request, peer, door)),
    get inFlight() {
      return inFlight;
    },
  };
}

interface GenerationParts {
  xmpp: XmppPort;
  router: StanzaRouter;
  registry: ReturnType<typeof createRegistry>;
  authenticators: Map<string, Authenticator>;
}

/** What a generation runs: its features' runtimes, in start order, and its routes' stops. */
class Running {
  features: Started[] = [];
  routeStops: Array<RouteStop | undefined> = [];

  /** Nothing new starts: the scheduled jobs stop (they are started again by the next generation). */
  quiesce(): void {
    for (const { runtime } of this.features) runtime.quiesce?.();
  }

  /** The routes in file order (the plugins), then the features in reverse of their start. */
  async stop(): Promise<void> {
    this.quiesce();
    for (const stop of this.routeStops) await stop?.();
    for (const { runtime } of [...this.features].reverse()) await runtime.stop?.();
  }
}

/** Each feature's runtime in registration order; when one refuses to start, those already started are stopped. */
async function startFeatures(deps: GenerationDeps, parts: GenerationParts): Promise<Started[]> {
  const { config } = deps;
  const started: Started[] = [];
  try {
    for (const feature of FEATURE_REGISTRY.features) {
      if (!feature.start) continue;
      const ctx: FeatureContext = {
        config,
        part: FEATURE_REGISTRY.partOf(config, feature),
        routes: config.routes,
        xmpp: parts.xmpp,
        entity: (local, handler) => parts.router.addBot(local, handler),
        http: parts.registry,
        kinds: { route: (route) => FEATURE_REGISTRY.compiled(route).kind, auth: (kind) => FEATURE_REGISTRY.authKind(kind) },
        auth: config.auth,
        authenticators: parts.authenticators,
        store: pluginStore(deps.store, `(${feature.name})`),
        log: deps.log,
        fetch: deps.fetch,
        metrics: deps.metrics,
        pluginMetrics: deps.metrics.forPlugin,
        previous: deps.handover?.get(feature.name),
        gateway: gatewayPorts(deps, feature.name),
      };
      started.push({ name: feature.name, runtime: await feature.start(ctx) });
    }
  } catch (err) {
    const running = new Running();
    running.features = started;
    await running.stop();
    throw err;
  }
  return started;
}

function runtimeOf(started: readonly Started[], route: RouteBase): FeatureRuntime {
  const { feature } = FEATURE_REGISTRY.compiled(route);
  const found = started.find((s) => s.name === feature.name);
  if (!found) throw new Error(`feature ${feature.name} compiles ${route.kind} routes but does not run`);
  return found.runtime;
}

/** The first feature that refuses a queued stanza says why it goes to the dead letters; undefined sends it. */
function beforeSend(runtimes: readonly Started[], stanza: string): Promise<string | undefined> | undefined {
  const checks = runtimes.flatMap(({ runtime }) => (runtime.beforeSend ? [runtime.beforeSend] : []));
  if (checks.length === 0) return undefined;
  return (async () => {
    for (const check of checks) {
      const refused = await check(stanza);
      if (refused !== undefined) return refused;
    }
    return undefined;
  })();
}

function gatewayPorts(deps: GenerationDeps, feature: string): GatewayPorts {
  return {
    db: deps.store,
    deliver: deps.deliver,
    request: (iq, timeoutMs) => deps.link.request(iq, timeoutMs),
    isOnline: () => deps.link.status === "online",
    newId: deps.newId,
    health: deps.health,
    storeFailed: deps.storeFailed,
    keep<T>(make: () => T): T {
      if (!deps.kept.has(feature)) deps.kept.set(feature, make());
      return deps.kept.get(feature) as T;
    },
  };
}

/** The configuration's auth schemes, each by its kind's feature; one bound on what they share (argon2id). */
function createAuthenticators(deps: GenerationDeps): Map<string, Authenticator> {
  const { config, log } = deps;
  const shared = new Map<string, unknown>();
  return new Map(
    Object.entries(config.auth).map(([name, scheme]) => {
      const kind = FEATURE_REGISTRY.authKind(scheme.kind);
      if (!kind) throw new Error(`no feature checks auth schemes of kind ${scheme.kind}`);
      const auth = authenticatorOf(kind, name, scheme, {
        host: config.xmpp.host,
        server: config.xmpp.server,
        throttle: deps.throttle,
        maxBodyBytes: config.http.max_body_bytes,
        store: deps.store,
        linkOnline: deps.linkOnline,
        log: log.child({ part: "auth" }),
        shared,
      });
      return [name, observedAuth(auth, deps)];
    }),
  );
}

/** Notes who authenticated (for the request log) and counts refusals (for metrics). */
function observedAuth(auth: Authenticator, deps: GenerationDeps): Authenticator {
  return {
    name: auth.name,
    kind: auth.kind,
    async authenticate(request, ip) {
      try {
        const identity = await auth.authenticate(request, ip);
        noteIdentity(request, identity.name);
        return identity;
      } catch (err) {
        const code = err instanceof GatewayError ? err.code : "INTERNAL";
        if (code === "RATE_LIMITED") deps.metrics.throttled(auth.name);
        else deps.metrics.authFailure(auth.name, code);
        throw err;
      }
    },
  };
}
