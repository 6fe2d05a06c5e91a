/**
 * One message of an MQTT route: `min_interval` (the newest skipped one held for when it ends:
 * mqtt-trailing.ts) -> read the payload (mqtt-message.ts) -> `when:` ->
 * `on_change:` -> render `send:` -> `correct:` -> deliver each stanza. The returned promise is
 * what the broker connection waits for before it acknowledges a QoS 1/2 message (src/mqtt/types.ts
 * `subscribe`): it resolves once every stanza is sent or in the outbox, or the message was
 * deliberately skipped or refused; a delivery failure rejects (OUTBOX_FULL: retried before the
 * acknowledgement), so nothing is acknowledged that was not kept.
 */
import type { Element } from "ltx";
import { GatewayError } from "../../plugin-api/errors.ts";
import type { Logger } from "../../plugin-api/log.ts";
import type { Keyed } from "../../plugin-api/store.ts";
import type { MqttMessage } from "../../mqtt/types.ts";
import type { RouteRoomSettings } from "../../rooms/route-rooms.ts";
import type { Remembered } from "./correct.ts";
import { messageScope, type MqttScope } from "./mqtt-message.ts";
import type { MqttRouteConfig } from "./mqtt-check.ts";
import { renderRequest } from "./render-request.ts";
import { mqttRoomSettings } from "./room-settings.ts";
import type { Trailing } from "./mqtt-trailing.ts";

/** What became of one message, counted by route (stanzagate_mqtt_route_messages_total). */
export type MqttRouteOutcome = "sent" | "queued" | "skipped_when" | "skipped_unchanged" | "skipped_interval" | "refused";

export interface MqttRouteDeps {
  component: string;
  newId(): string;
  deliver(stanza: Element): Promise<"sent" | "queued">;
  /** Outbox room for every stanza of a message before the first goes (GatewayPorts.reserve): a message is queued whole or retried whole. */
  reserve(stanzas: readonly Element[]): () => void;
  /** A groupchat to a room, entered first (rooms/route-rooms.ts); absent: `deliver`. */
  groupchat?(stanza: Element, settings: RouteRoomSettings): Promise<"sent" | "queued">;
  roomTimeoutMs: number;
  /** `correct:` threads (store/threads.ts). */
  remembered: Remembered;
  /** `on_change:`: the last value sent, by route and topic, in the store. */
  lastValues: Keyed<string>;
  /**
   * With `mqtt.share` (replicas): the last value as the store holds it now, read before each
   * comparison, since the topic's previous message may have gone to another replica.
   */
  freshValue?(key: string): Promise<string | undefined>;
  /** `min_interval`: when the last message was sent, by route and topic (bounded, the gateway's). */
  lastSent: Map<string, number>;
  /** `min_interval`'s trailing edge (mqtt-trailing.ts); absent: skipped messages are only counted (render). */
  trailing?: Trailing;
  now(): number;
  count(outcome: MqttRouteOutcome): void;
  log: Logger;
}

export function mqttHandler(route: MqttRouteConfig, deps: MqttRouteDeps): (message: MqttMessage) => Promise<void> {
  const settings = mqttRoomSettings(route, deps.roomTimeoutMs);
  const send = (stanza: Element) =>
    deps.groupchat && stanza.name === "message" && stanza.attrs.type === "groupchat"
      ? deps.groupchat(stanza, settings)
      : deps.deliver(stanza);
  const later = (message: MqttMessage) =>
    handleMqttMessage(message).catch((err: unknown) =>
      deps.log.warn("the newest message held by min_interval could not be sent", {
        route: route.name,
        topic: message.topic,
        err: err instanceof Error ? err.message : String(err),
      }),
    );
  async function handleMqttMessage(message: MqttMessage): Promise<void> {
    const slot = JSON.stringify([route.name, message.topic]);
    // First, before the payload is even read: a flood on one topic costs a map lookup per message.
    if (held(route, deps, slot, message, later)) return deps.count("skipped_interval");
    const scope = messageScope(message, route.mqtt.topic, route.mqtt.binary, deps.newId());
    if (!scope) return refuse(route, deps, message, "the payload is not UTF-8 (mqtt.binary: base64 takes it as base64 text)");
    let decided: { stanzas: Element[]; value: string | undefined; remember: (() => Promise<void>) | undefined } | MqttRouteOutcome;
    try {
      decided = await decide(route, deps, scope, slot);
    } catch (err) {
      // The route cannot render this payload (strict: a missing field, text XML cannot carry): the sender's mistake, said once.
      if (err instanceof GatewayError) return refuse(route, deps, message, `${err.code}: ${err.message}`);
      throw err;
    }
    if (typeof decided === "string") return deps.count(decided);
    let queued = false;
    const release = deps.reserve(decided.stanzas);
    try {
      for (const stanza of decided.stanzas) queued = (await send(stanza)) === "queued" || queued;
    } finally {
      release();
    }
    await remember(route, deps, slot, decided);
    deps.count(queued ? "queued" : "sent");
  }
  return handleMqttMessage;
}

/** Whether the message sends, and what: the stanzas, the on_change value and the correct: threads to remember once delivered. */
async function decide(route: MqttRouteConfig, deps: MqttRouteDeps, scope: MqttScope, slot: string) {
  const options = { strict: route.strict };
  if (route.when && !route.when.test(scope, options)) return "skipped_when";
  const value = route.onChange?.render(scope, options);
  if (value !== undefined && (await lastValue(deps, slot)) === value) return "skipped_unchanged";
  const { stanzas } = renderRequest({ ...route, when: undefined }, scope, deps);
  if (!stanzas.length) return "skipped_when";
  const remember = await route.correct?.apply(stanzas, scope, deps.remembered, options);
  return { stanzas, value, remember };
}

function lastValue(deps: MqttRouteDeps, slot: string): Promise<string | undefined> | string | undefined {
  return deps.freshValue ? deps.freshValue(slot) : deps.lastValues.get(slot);
}

/**
 * `min_interval`: true when the topic's last message was sent less than the interval ago. Then this
 * message is held as the topic's newest for when the interval ends (a newer one replaces it);
 * otherwise an older one still held is dropped: this one is newer and goes now.
 */
function held(
  route: MqttRouteConfig,
  deps: MqttRouteDeps,
  slot: string,
  message: MqttMessage,
  later: (m: MqttMessage) => unknown,
): boolean {
  const last = deps.lastSent.get(slot);
  const interval = route.mqtt.minIntervalMs;
  const wait = interval === undefined || last === undefined ? 0 : last + interval - deps.now();
  if (wait <= 0) return (deps.trailing?.drop(slot), false);
  deps.trailing?.hold(slot, message, wait, (m) => void later(m));
  return true;
}

/** After delivery: what the next message of the topic compares with. A store that fails is reported by its own callback (index.ts). */
async function remember(
  route: MqttRouteConfig,
  deps: MqttRouteDeps,
  slot: string,
  done: { value: string | undefined; remember: (() => Promise<void>) | undefined },
): Promise<void> {
  deps.lastSent.set(slot, deps.now());
  try {
    if (done.value !== undefined) deps.lastValues.set(slot, done.value);
    await done.remember?.();
  } catch (err) {
    deps.log.warn("an MQTT route's on_change value or correct: thread could not be saved", {
      route: route.name,
      err: err instanceof Error ? err.message : String(err),
    });
  }
}

function refuse(route: MqttRouteConfig, deps: MqttRouteDeps, message: MqttMessage, reason: string): void {
  deps.count("refused");
  deps.log.warn("an MQTT message was refused by its route; nothing sent", {
    route: route.name,
    topic: message.topic,
    bytes: message.payload.byteLength,
    reason,
  });
}
