/**
 * What a generation runs: each feature's runtime, started in registration order with what it is
 * lent (FeatureContext), and each route started by its kind's feature; stopped routes first, then
 * the features in reverse.
 */
import { FEATURE_REGISTRY } from "../features/index.ts";
import type { Authenticator } from "../auth/types.ts";
import type { XmppPort } from "../plugin-api/index.ts";
import type { FeatureContext, FeatureRuntime, GatewayPorts, RouteBase, RouteStop } from "../feature-api.ts";
import { featureStoreName, pluginStore } from "../store/plugin-store.ts";
import type { createRegistry } from "../http/app.ts";
import type { StanzaRouter } from "../xmpp/router.ts";
import type { Mqtt } from "../mqtt/types.ts";

import type { GenerationDeps } from "./deps.ts";
import { generationFiles } from "./files.ts";
import { gatewayTopics } from "./topics.ts";
export interface Started {
  name: string;
  runtime: FeatureRuntime;
}

export interface GenerationParts {
  xmpp: XmppPort;
  router: StanzaRouter;
  registry: ReturnType<typeof createRegistry>;
  authenticators: Map<string, Authenticator>;
  /** This generation's view of the broker connection, when routes.yaml has `mqtt:`. */
  mqtt?: Mqtt | undefined;
}

/** What a generation runs: its features' runtimes, in start order, and its routes' stops. */
export class Running {
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
export async function startFeatures(deps: GenerationDeps, parts: GenerationParts): Promise<Started[]> {
  const { config } = deps;
  const started: Started[] = [];
  const files = generationFiles(deps);
  const topics = gatewayTopics(deps);
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
        store: await pluginStore(deps.store, featureStoreName(feature.name), deps.storeFailed),
        log: deps.log,
        fetch: deps.fetch,
        metrics: deps.metrics,
        pluginMetrics: deps.metrics.forPlugin,
        previous: deps.handover?.get(feature.name),
        gateway: gatewayPorts(deps, feature.name),
        files,
        topics,
        mqtt: parts.mqtt,
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

/**
 * Starts one route with its kind's feature. A kind whose path is its secret (RouteKind.secretPath)
 * has every path the route registers marked secret here, once for all its formats: none can
 * register one and forget to hide it. A catch-all kind's (RouteKind.catchAll) are marked so too.
 */
export async function startRoute(
  route: RouteBase,
  running: Running,
  registry: ReturnType<typeof createRegistry>,
): Promise<RouteStop | undefined> {
  const from = registry.all.length;
  const stop = await runtimeOf(running.features, route).route?.(route);
  const { kind } = FEATURE_REGISTRY.compiled(route);
  for (const r of registry.all.slice(from)) {
    if (kind.secretPath) r.secret = true;
    if (kind.catchAll) r.catchAll = true;
  }
  return stop ?? undefined;
}

/** The first feature that refuses a queued stanza says why it goes to the dead letters; undefined sends it. */
export function beforeSend(runtimes: readonly Started[], stanza: string): Promise<string | undefined> | undefined {
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
    store: deps.store,
    deliver: deps.deliver,
    reserve: deps.reserve,
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
