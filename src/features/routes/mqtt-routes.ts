/**
 * The MQTT routes of one generation: each subscribes to its topic filter on the gateway's broker
 * connection (ctx.mqtt) and hands every message to its handler (mqtt-handler.ts). A subscription
 * is the generation's: closed when it retires, the next one's opened, while the persistent session
 * keeps at the broker what arrives in between (src/mqtt/). What spaces messages (min_interval) is
 * the gateway's, so a reload does not let a burst through.
 */
import type { FeatureContext, RouteStop } from "../../feature-api.ts";
import { LruMap } from "../../kit/bounded.ts";
import { boundedKeyed } from "../../store/bounded-keyed.ts";
import type { Remembered } from "./correct.ts";
import type { MqttRouteConfig } from "./mqtt-check.ts";
import { mqttHandler, type MqttRouteDeps } from "./mqtt-handler.ts";
import { Trailing } from "./mqtt-trailing.ts";
import type { RouteRooms } from "../../rooms/route-rooms.ts";

/** Most (route, topic) pairs whose last send time min_interval keeps; past it the oldest is forgotten (its next message goes). */
const MAX_SPACED_TOPICS = 10_000;
/** Most topics whose on_change: value a route keeps in the store; past it the least recently written is forgotten (docs/mqtt.md). */
const MAX_ON_CHANGE_TOPICS = 10_000;

interface Spacing {
  lastSent: Map<string, number>;
}

export function startMqttRoute(
  route: MqttRouteConfig,
  ctx: FeatureContext,
  rooms: RouteRooms,
  remembered: (route: MqttRouteConfig) => Remembered,
): RouteStop {
  if (!ctx.mqtt) throw new Error(`${route.at}: an MQTT route needs the mqtt: section`);
  const messages = ctx.pluginMetrics("mqtt").counter({
    name: "route_messages_total",
    help: "Messages MQTT routes took, by route and outcome (sent, queued, skipped_when, skipped_unchanged, skipped_interval, refused).",
    labels: ["route", "outcome"],
  });
  const spacing = ctx.gateway.keep<Spacing>(() => ({ lastSent: new LruMap(MAX_SPACED_TOPICS) }));
  const trailing = new Trailing();
  const deps: MqttRouteDeps = {
    component: ctx.config.xmpp.component,
    newId: ctx.gateway.newId,
    deliver: ctx.gateway.deliver,
    reserve: ctx.gateway.reserve,
    groupchat: (stanza, settings) => rooms.send(stanza, settings),
    roomTimeoutMs: ctx.config.xmpp.iq_timeout_ms,
    remembered: remembered(route),
    lastValues: onChangeValues(route, ctx),
    // A shared subscription hands a topic's messages to any replica: compare with what the store holds now.
    ...(ctx.config.mqtt?.share === undefined ? {} : { freshValue: (key) => ctx.store.keyed<string>("mqtt_on_change").fresh(key) }),
    lastSent: spacing.lastSent,
    trailing,
    now: Date.now,
    count: (outcome) => messages.inc({ route: route.name, outcome }),
    log: ctx.log.child({ part: "mqtt-routes" }),
  };
  const { qos, retained } = route.mqtt;
  const subscription = ctx.mqtt.subscribe(route.mqtt.topic, { qos, retained }, mqttHandler(route, deps));
  return () => {
    subscription.close();
    trailing.clear();
  };
}

/** The route's on_change: values by topic (keys as mqtt-handler.ts makes them: JSON [route, topic]), bounded. */
function onChangeValues(route: MqttRouteConfig, ctx: FeatureContext) {
  const forgotten = ctx.pluginMetrics("mqtt").counter({
    name: "on_change_forgotten_total",
    labels: ["route"],
    help: `Topics whose on_change: value an MQTT route forgot, the least recently written first, to keep at most ${MAX_ON_CHANGE_TOPICS} per route.`,
  });
  return boundedKeyed(ctx.store.keyed<string>("mqtt_on_change"), {
    prefix: `${JSON.stringify([route.name]).slice(0, -1)},`,
    max: MAX_ON_CHANGE_TOPICS,
    forgotten: (keys) => forgotten.inc({ route: route.name }, keys),
  });
}
