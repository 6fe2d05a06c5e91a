/**
 * Declarative routes: `path:` and `send:` in routes.yaml, a stanza template (or several) rendered
 * from each request and delivered, or an iq whose answer is the HTTP answer; or, with `mqtt:`
 * instead of `path:`, from each message on an MQTT topic (mqtt-routes.ts). Their rooms are one
 * occupant (`<component>/stanzagate`) whose seats pass to the next configuration on a reload;
 * `correct:` threads are remembered in the store.
 */
import { defineFeature, defineRouteKind, type FeatureContext } from "../../feature-api.ts";
import { checkDeclarativeRoute } from "./check.ts";
import { correctThreads } from "../../store/threads.ts";
import { memoryRemembered, type CompiledCorrection, type Remembered } from "./correct.ts";
import { declarativeHandler } from "./handler.ts";
import { fileBodyLimit } from "../../files/service.ts";
import { declarativeOperation } from "./openapi.ts";
import { RouteRooms, type RouteSeats } from "../../rooms/route-rooms.ts";
import { mqttRoomSettings, routeRoomSettings } from "./room-settings.ts";
import { DeclarativeRouteSchema, FieldSchema } from "./schema.ts";
import type { DeclarativeRouteConfig } from "./types.ts";
import { checkMqttRoute, type MqttRouteConfig } from "./mqtt-check.ts";
import { MqttRouteSchema } from "./mqtt-schema.ts";
import { startMqttRoute } from "./mqtt-routes.ts";

/** Matches before any plugin's prefix: the same method and path is the route itself. */
const EXACT = Number.MAX_SAFE_INTEGER;

export default defineFeature({
  name: "routes",
  summary: "Declarative routes: stanza templates and iq round trips.",
  routeKinds: [
    defineRouteKind<DeclarativeRouteConfig>({
      kind: "declarative",
      schema: DeclarativeRouteSchema,
      title: "routes[] declarative",
      check: checkDeclarativeRoute,
      label: (route) => `${route.method} ${route.path}`,
      serves: (route, r) => (route.method === r.method && route.path === r.path ? EXACT : undefined),
      operation: (route, _served, config) => declarativeOperation(route, config),
    }),
    defineRouteKind<MqttRouteConfig>({
      kind: "mqtt",
      key: "mqtt",
      schema: MqttRouteSchema,
      title: "routes[] mqtt",
      check: checkMqttRoute,
      // Its name (default `mqtt <topic>`): what the reload log and the metrics call it.
      label: (route) => route.name,
    }),
  ],
  reference: [{ title: "routes[].body.<field> (long form)", schema: FieldSchema }],
  async start(ctx) {
    const { config } = ctx;
    const declarative = ctx.routes.filter((r): r is DeclarativeRouteConfig => r.kind === "declarative");
    const mqtt = ctx.routes.filter((r): r is MqttRouteConfig => r.kind === "mqtt");
    // XEP-0045: the declarative routes' occupant JID; plugins declare their own.
    const from = `${config.xmpp.component}/stanzagate`;
    ctx.xmpp.rooms.occupant({
      from,
      nick: "Stanzagate",
      password: () => undefined,
      timeoutMs: config.xmpp.iq_timeout_ms,
      lingerMs: 0,
      maxLingering: 0,
      log: ctx.log.child({ part: "rooms" }),
    });
    const rooms = new RouteRooms({
      rooms: ctx.xmpp.rooms,
      from,
      deliver: ctx.gateway.deliver,
      isOnline: ctx.gateway.isOnline,
      log: ctx.log.child({ part: "rooms" }),
      routes: new Map(
        [
          ...declarative.map((r) => routeRoomSettings(r, config.xmpp.iq_timeout_ms)),
          ...mqtt.map((r) => mqttRoomSettings(r, config.xmpp.iq_timeout_ms)),
        ].map((s) => [s.route, s]),
      ),
      timeoutMs: config.xmpp.iq_timeout_ms,
    });
    if (ctx.previous) await rooms.adopt(ctx.previous as RouteSeats);
    return {
      route(base) {
        if (base.kind === "mqtt") return startMqttRoute(base as MqttRouteConfig, ctx, rooms, (r) => threadsOf(r.correct, ctx));
        const route = base as DeclarativeRouteConfig;
        // A route that attaches files takes bodies up to attachments.max_file_bytes.
        const files = route.attach && ctx.files ? { maxBodyBytes: fileBodyLimit(ctx.files.settings) } : undefined;
        ctx.http.add(route.method, route.path, handlerOf(route, rooms, ctx), files);
      },
      online: () => rooms.online(),
      handover: () => rooms.handover(),
      beforeSend: (stanza) => rooms.beforeSend(stanza),
    };
  },
});

function handlerOf(route: DeclarativeRouteConfig, rooms: RouteRooms, ctx: FeatureContext) {
  const { config, gateway } = ctx;
  return declarativeHandler(route, {
    auth: route.auth ? ctx.authenticators.get(route.auth) : undefined,
    component: config.xmpp.component,
    maxBodyBytes: config.http.max_body_bytes,
    deliver: gateway.deliver,
    newId: gateway.newId,
    groupchat: (stanza, settings) => rooms.send(stanza, settings),
    iq: { request: gateway.request, isOnline: gateway.isOnline, defaultTimeoutMs: config.xmpp.iq_timeout_ms },
    ...(route.correct ? { remembered: threads(route.correct, ctx) } : {}),
    files: ctx.files,
    mqtt: ctx.mqtt,
  });
}

/** An MQTT route without `correct:` remembers nothing. */
function threadsOf(correction: CompiledCorrection | undefined, ctx: FeatureContext): Remembered {
  return correction ? threads(correction, ctx) : memoryRemembered();
}

/** Where a route's `correct:` remembers its threads; a failure is reported (health, log, metric). */
function threads(correction: CompiledCorrection, ctx: FeatureContext): Remembered {
  return correctThreads(ctx.gateway.store, {
    route: correction.namespace,
    limits: correction.limits,
    failed(op, err) {
      ctx.gateway.storeFailed(op, err);
      ctx.log.warn("a correct: thread could not be saved; its next message starts a new one", {
        route: correction.namespace,
        op,
        err: err instanceof Error ? err.message : String(err),
      });
      ctx.metrics.correctStoreFailure(correction.namespace);
    },
  });
}
