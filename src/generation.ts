/**
 * One generation of the configuration: what a reload replaces as a whole. Auth schemes, the HTTP
 * routes, the plugins with their stanza handlers and link listeners, and the /metrics endpoint.
 * The store, the XMPP link, the outbox and the metrics registry are the gateway's and outlive it.
 *
 * A retiring generation finishes its requests in flight, then stops its plugins; until then it
 * still takes the answers to its own requests (StanzaRouter.takeOwn).
 */
import type { Database } from "bun:sqlite";
import type { Element } from "ltx";
import type { Config } from "./config/load.ts";
import type { Core } from "./core.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { Authenticator } from "./auth/types.ts";
import type { Throttle } from "./auth/throttle.ts";
import type { LinkEvent, PluginInstance, XmppPort } from "./plugin-api.ts";
import { GatewayError, errorResponse } from "./errors.ts";
import { createAuthenticator } from "./auth/authenticators.ts";
import { boundedVerifier } from "./features/auth/basic/password-verifier.ts";
import { declarativeHandler } from "./features/routes/handler.ts";
import { pluginStore } from "./store/plugin-store.ts";
import { createHttpApp, createRegistry, HEALTH_PATHS, type HealthReport } from "./http/app.ts";
import { observeRequests } from "./http/request-log.ts";
import { clientAddresses } from "./http/client-address.ts";
import { enter, routeMatcher, type Door } from "./http/front-door.ts";
import { noteIdentity, type GatewayRequest } from "./http/request-context.ts";
import { setupPlugin, xmppPort } from "./features/plugin-routes/host.ts";
import type { XmppLink } from "./xmpp/link.ts";
import { StanzaRouter } from "./xmpp/router.ts";
import type { Rooms } from "./rooms/rooms.ts";
import { GenerationRooms } from "./rooms/generation-rooms.ts";
import { RouteRooms, routeRoomSettings, type RouteSeats } from "./features/routes/route-rooms.ts";
import { openApiEndpoint } from "./features/openapi/endpoint.ts";
import { startBots } from "./features/bots/index.ts";
import type { InvitedRoom } from "./features/bots/rooms.ts";
import { startJobs, type LastRun } from "./features/bots/jobs.ts";

export interface GenerationDeps {
  config: Config;
  link: XmppLink;
  /** Delivery, counted as sent (201) or queued (202). */
  deliver(stanza: Element): Promise<"sent" | "queued">;
  store: Database;
  /** Where `correct:` remembers its threads (core.ts). */
  threads: Core["threads"];
  log: Logger;
  metrics: Metrics;
  fetch: typeof fetch;
  throttle: Throttle;
  health(): HealthReport;
  /** Whether the component link is up (the xmpp auth scheme's offline grace). */
  linkOnline(): boolean;
  newId(): string;
  /** The bot jobs running now, across generations: a reload never runs one job twice at once. */
  runningJobs: Set<string>;
  /** The gateway's rooms, which outlive a generation as the link does (rooms/rooms.ts). */
  rooms: Rooms;
  /** The seats of the configuration this one replaces (a reload): those still used are kept. */
  seats?: RouteSeats | undefined;
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
  /** Waits (bounded) for the requests in flight, then stops the plugins. */
  retire(timeoutMs: number): Promise<void>;
  /** The plugins' own /health entries (PluginInstance.health), in route order. */
  pluginHealth(): Array<Record<string, unknown>>;
  /** The routes' seats, for the configuration that replaces this one. */
  handover(): RouteSeats;
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
  // XEP-0045: the declarative routes' occupant JID; plugins declare their own.
  const routesFrom = `${config.xmpp.component}/stanzagate`;
  rooms.occupant({
    from: routesFrom,
    nick: "Stanzagate",
    password: () => undefined,
    timeoutMs: config.xmpp.iq_timeout_ms,
    lingerMs: 0,
    maxLingering: 0,
    log: log.child({ part: "rooms" }),
  });
  const routeRooms = new RouteRooms({
    rooms,
    from: routesFrom,
    deliver: deps.deliver,
    isOnline: () => deps.link.status === "online",
    log: log.child({ part: "rooms" }),
    routes: new Map(
      config.routes.flatMap((r) => (r.kind === "plugin" ? [] : [routeRoomSettings(r, config.xmpp.iq_timeout_ms)])).map((s) => [s.route, s]),
    ),
    timeoutMs: config.xmpp.iq_timeout_ms,
  });
  if (deps.seats) await routeRooms.adopt(deps.seats);
  on("offline", () => rooms.offline());
  // Routes enter their rooms again first, so that the rooms left behind are not left once more.
  on("online", () => routeRooms.online());
  on("online", () => bots.online());
  on("online", () => rooms.online());
  // One bound on argon2id verifications for every basic scheme of the configuration.
  const verifyPassword = boundedVerifier();
  const authenticators = new Map(
    Object.entries(config.auth).map(([name, scheme]) => [
      name,
      observedAuth(
        createAuthenticator(name, scheme, {
          host: config.xmpp.host,
          server: config.xmpp.server,
          throttle: deps.throttle,
          maxBodyBytes: config.http.max_body_bytes,
          store: deps.store,
          linkOnline: deps.linkOnline,
          log: log.child({ part: "auth" }),
          verifyPassword,
        }),
        deps,
      ),
    ]),
  );
  const bots = startBots(config.bots, {
    addBot: (local, handler) => router.addBot(local, handler),
    send: deps.deliver,
    fetch: deps.fetch,
    log,
    metrics: deps.metrics,
    rooms,
    invited: pluginStore(deps.store, "(bots)").keyed<InvitedRoom[]>("rooms"),
    isOnline: () => deps.link.status === "online",
    timeoutMs: config.xmpp.iq_timeout_ms,
    request: (iq) => deps.link.request(iq),
  });
  const registry = createRegistry();
  const reporters: Array<() => Record<string, unknown>> = [];
  const plugins = await setupRoutes(deps, authenticators, registry, xmpp, reporters, routeRooms).catch((err: unknown) => {
    // A generation that fails to build gives back the seats its bots took.
    bots.stop();
    rooms.stop();
    throw err;
  });
  const app = createHttpApp({
    routes: registry.routes,
    health: deps.health,
    cors: config.http.cors,
    maxBodyBytes: config.http.max_body_bytes,
    log: log.child({ part: "http" }),
  });
  const scrape = metricsEndpoint(config, authenticators, deps.metrics);
  const describe = openApiEndpoint(config, registry.routes, config.openapi.auth ? authenticators.get(config.openapi.auth) : undefined);
  // Probes (health, scrapes) are logged at debug when they succeed (request-log.ts).
  const probes = [...HEALTH_PATHS, ...(config.metrics.enabled ? [config.metrics.path] : [])];
  const fixed = [...probes, ...(config.openapi.enabled ? [config.openapi.path] : [])].map((path) => ({ method: "GET", path }));
  let inFlight = 0;
  let retired: Promise<void> | undefined;
  // Started last, so a generation that fails to build leaves no timer behind.
  const stopJobs = startJobs(config.bots, {
    deliver: deps.deliver,
    fetch: deps.fetch,
    log: log.child({ part: "bot-jobs" }),
    last: pluginStore(deps.store, "(bots)").keyed<LastRun>("jobs"),
    metrics: deps.metrics,
    running: deps.runningJobs,
  });
  const door: Door = {
    maxBodyBytes: config.http.max_body_bytes,
    clientAddress: clientAddresses(config.http),
    routeOf: routeMatcher([...fixed, ...registry.routes]),
  };
  const serve = observeRequests(
    async (request) => {
      inFlight++;
      try {
        return (await scrape(request)) ?? (await describe(request)) ?? (await app.handle(request));
      } finally {
        inFlight--;
      }
    },
    {
      log: log.child({ part: "http" }),
      metrics: deps.metrics,
      probes: new Set(probes),
    },
  );
  return {
    config,
    handle: (request, peer) => serve(enter(request, peer, door)),
    dispatch: (stanza) => router.dispatch(stanza),
    takeOwn: (stanza) => router.takeOwn(stanza),
    emit: (event) => {
      for (const listener of listeners.get(event) ?? []) listener();
    },
    get inFlight() {
      return inFlight;
    },
    pluginHealth: () => reporters.map((report) => report()),
    handover: () => routeRooms.handover(),
    beforeSend: (stanza) => routeRooms.beforeSend(stanza),
    // Once: a reload and a shutdown may both retire the same generation.
    retire(timeoutMs) {
      retired ??= (async () => {
        stopJobs();
        const deadline = Date.now() + timeoutMs;
        while (inFlight > 0 && Date.now() < deadline) await Bun.sleep(10);
        for (const p of plugins) await p.stop?.();
        bots.stop();
        // Gives back this generation's seats only: rooms the next one holds too are not left.
        rooms.stop();
      })();
      return retired;
    },
  };
}

/** Plugins set up in route order; when one refuses to start, those already started are stopped. */
async function setupRoutes(
  deps: GenerationDeps,
  authenticators: Map<string, Authenticator>,
  registry: ReturnType<typeof createRegistry>,
  xmpp: XmppPort,
  reporters: Array<() => Record<string, unknown>>,
  routeRooms: RouteRooms,
): Promise<PluginInstance[]> {
  const { config, log } = deps;
  const plugins: PluginInstance[] = [];
  try {
    for (const route of config.routes) {
      const auth = route.auth ? authenticators.get(route.auth) : undefined;
      if (route.kind === "plugin") {
        const instance = await setupPlugin(route, auth, {
          xmpp,
          registry,
          store: deps.store,
          log,
          fetch: deps.fetch,
          metrics: deps.metrics.forPlugin,
        });
        plugins.push(instance);
        const report = instance.health?.bind(instance);
        if (report) reporters.push(() => ({ plugin: route.plugin.name, path: route.path, ...report() }));
      } else {
        registry.add(
          route.method,
          route.path,
          declarativeHandler(route, {
            auth,
            component: config.xmpp.component,
            maxBodyBytes: config.http.max_body_bytes,
            deliver: deps.deliver,
            newId: deps.newId,
            groupchat: (stanza, settings) => routeRooms.send(stanza, settings),
            iq: {
              request: (iq, timeoutMs) => deps.link.request(iq, timeoutMs),
              isOnline: () => deps.link.status === "online",
              defaultTimeoutMs: config.xmpp.iq_timeout_ms,
            },
            ...(route.correct ? { remembered: deps.threads(route.correct) } : {}),
          }),
        );
      }
    }
  } catch (err) {
    for (const p of plugins) await p.stop?.();
    throw err;
  }
  return plugins;
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

/** GET <metrics.path>: the scrape, behind its own auth scheme when one is named; else undefined. */
function metricsEndpoint(config: Config, authenticators: Map<string, Authenticator>, metrics: Metrics) {
  const { enabled, path, auth: scheme } = config.metrics;
  const auth = scheme ? authenticators.get(scheme) : undefined;
  return async (request: GatewayRequest): Promise<Response | undefined> => {
    if (!enabled || request.method !== "GET" || request.context.path !== path) return undefined;
    try {
      await auth?.authenticate(request, request.context.client);
      return new Response(await metrics.render(), { headers: { "content-type": metrics.contentType } });
    } catch (err) {
      return errorResponse(err);
    }
  };
}
