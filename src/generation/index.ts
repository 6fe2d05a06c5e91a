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
import type { Element } from "ltx";
import type { Config } from "../features/index.ts";
import type { LinkEvent, XmppPort } from "../plugin-api/index.ts";
import { createRegistry } from "../http/app.ts";
import { xmppPort } from "../xmpp/port.ts";
import { StanzaRouter } from "../xmpp/router.ts";
import { GenerationRooms } from "../rooms/generation-rooms.ts";
import { createAuthenticators } from "./auth.ts";
import type { GenerationDeps } from "./deps.ts";
import { httpSide, type HttpSide } from "./http.ts";
import { generationMqtt } from "./mqtt.ts";
import { beforeSend, Running, startFeatures, startRoute } from "./running.ts";

export type { GenerationDeps };

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
  const mqtt = await generationMqtt(deps);
  let http: HttpSide;
  try {
    running.features = await startFeatures(deps, { xmpp, router, registry, authenticators: createAuthenticators(deps), mqtt: mqtt?.mqtt });
    on("offline", () => rooms.offline());
    // Before any plugin's listeners, as the routes' rooms and the bots' are the gateway's own.
    // Features enter their rooms again first (routes, then bots), so that the rooms left behind are not left once more.
    for (const { runtime } of running.features) if (runtime.online) on("online", () => runtime.online?.());
    on("online", () => rooms.online());
    for (const route of config.routes) running.routeStops.push(await startRoute(route, running, registry));
    http = httpSide(deps, registry, running.features);
  } catch (err) {
    // A generation that fails to build gives back the seats its features took, and leaves no timer.
    await running.stop();
    mqtt?.close();
    rooms.stop();
    throw err;
  }
  const runtimes = running.features;
  let retired: Promise<void> | undefined;
  // Started last, so a generation that fails to build leaves nothing running by itself.
  for (const { runtime } of runtimes) runtime.ready?.();
  // Its routes subscribed: the broker connection starts (once per gateway) or follows the new subscriptions.
  mqtt?.ready();
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
        mqtt?.close();
        // Gives back this generation's seats only: rooms the next one holds too are not left.
        rooms.stop();
      })();
      return retired;
    },
  };
}
