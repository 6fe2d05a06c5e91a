/**
 * An MQTT routes[] entry (mqtt-schema.ts): its keys, its topic filter (MQTT 5 §4.7), and its
 * templates, condition, `on_change:` and `correct:` checked against the names a message gives
 * (MQTT_ROOTS) at their place in the YAML. Every part is checked even when another is wrong.
 */
import { Type } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";
import { checkSchema } from "../../config/check-schema.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { routeLabel } from "../../config/route-checks.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { filterProblem, wildcardCount } from "../../mqtt/topic.ts";
import type { CompiledTemplate } from "../../templates/template.ts";
import type { CompiledCondition } from "../../templates/condition.ts";
import { checkCondition, checkCorrection, type RouteShape } from "./check-template.ts";
import { checkSends, roomPasswords } from "./check.ts";
import { isIqRequestTemplate } from "./check-iq.ts";
import type { CompiledCorrection } from "./correct.ts";
import { MQTT_ROOTS } from "./mqtt-message.ts";
import { checkOnChange, type CompiledValue } from "./mqtt-on-change.ts";
import { MqttRouteSchema, type MqttRoute } from "./mqtt-schema.ts";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** An MQTT route, checked and compiled once at load. */
export interface MqttRouteConfig {
  kind: "mqtt";
  at: string;
  /** Also what its on_change values and correct: threads are remembered under. */
  name: string;
  /** No HTTP path: `mqtt:<filter>`, for what lists every route by path. */
  path: string;
  auth: undefined;
  mqtt: { topic: string; qos: 0 | 1 | 2; retained: boolean; minIntervalMs: number | undefined; binary: "refuse" | "base64" };
  templates: readonly CompiledTemplate[];
  when: CompiledCondition | undefined;
  onChange: CompiledValue | undefined;
  strict: boolean;
  maxStanzas: number;
  correct: CompiledCorrection | undefined;
  rooms: { nick: string | undefined; password(room: string): string | undefined };
}

const KeysSchema = Closed({ ...MqttRouteSchema.properties, send: Type.Optional(Type.Unknown()), when: Type.Optional(Type.Unknown()) });

export function checkMqttRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): MqttRouteConfig | undefined {
  // `mqtt:` chose this kind: a `path:` beside it is a choice to make, not a typo.
  const { path, ...rest } = raw;
  if (path !== undefined)
    c.diagnostics.push(
      c.locate.at([...at, "path"], "a route takes either path: (HTTP requests) or mqtt: (a topic's messages), not both", { key: true }),
    );
  const keys = checkSchema(KeysSchema, rest, at, c.locate, c.diagnostics);
  if (!c.sections.includes("mqtt"))
    c.diagnostics.push(
      c.locate.at([...at, "mqtt"], "an MQTT route needs the broker: add an mqtt: section (url: mqtt://...) at the top", { key: true }),
    );
  const topic = keys ? checkFilter(keys.mqtt.topic, at, c) : undefined;
  const name = keys?.name ?? `mqtt ${keys?.mqtt.topic ?? ""}`;
  if (keys) checkUniqueName(name, [...at, keys.name === undefined ? "mqtt" : "name"], c);
  const shape: RouteShape = { path: undefined, method: "MQTT", bodyFields: undefined, roots: MQTT_ROOTS, wildcards: wildcardsOf(topic) };
  const templates = checkSends(raw.send, at, shape, c);
  // An iq round trip answers its HTTP caller with the reply (iq-route.ts): a message has no caller to answer.
  if (isIqRequestTemplate(raw.send))
    c.diagnostics.push(
      c.locate.at([...at, "send"], 'an MQTT route has no caller to answer: an <iq type="get|set"> round trip needs an HTTP route'),
    );
  const when = typeof raw.when === "string" ? checkCondition(raw.when, [...at, "when"], shape, c.locate, c.diagnostics) : undefined;
  const onChange = keys?.on_change === undefined ? undefined : checkOnChange(keys.on_change, [...at, "on_change"], c);
  const correct = keys?.correct ? checkCorrection(name, keys.correct, [...at, "correct"], shape, c.locate, c.diagnostics) : undefined;
  if (
    !keys ||
    !topic ||
    !templates ||
    isIqRequestTemplate(raw.send) ||
    (raw.when !== undefined && !when) ||
    (keys.on_change && !onChange) ||
    (keys.correct && !correct)
  )
    return undefined;
  return compiled(keys, { at, name, templates, when, onChange, correct });
}

function compiled(
  keys: Pick<MqttRoute, "mqtt" | "strict" | "max_stanzas" | "nick" | "rooms" | "room_password">,
  parts: Pick<MqttRouteConfig, "name" | "templates" | "when" | "onChange" | "correct"> & { at: PathSegments },
): MqttRouteConfig {
  const { mqtt } = keys;
  return {
    ...parts,
    kind: "mqtt",
    at: routeLabel(parts.at),
    path: `mqtt:${mqtt.topic}`,
    auth: undefined,
    mqtt: {
      topic: mqtt.topic,
      qos: mqtt.qos ?? 1,
      retained: mqtt.retained ?? false,
      minIntervalMs: mqtt.min_interval === undefined ? undefined : durationMs(mqtt.min_interval),
      binary: mqtt.binary ?? "refuse",
    },
    strict: keys.strict ?? false,
    maxStanzas: keys.max_stanzas ?? 50,
    rooms: { nick: keys.nick, password: roomPasswords(keys.rooms, keys.room_password) },
  };
}

function checkFilter(topic: string, at: PathSegments, c: RouteChecks): string | undefined {
  const problem = filterProblem(topic);
  if (problem === undefined) return topic;
  c.diagnostics.push(c.locate.at([...at, "mqtt", "topic"], `${problem}, found ${JSON.stringify(topic)}`));
  return undefined;
}

/** Two routes of one name would share what on_change and correct: remember: a second one is told to take its own name. */
function checkUniqueName(name: string, where: PathSegments, c: RouteChecks): void {
  const key = `MQTT ${name}`;
  const other = c.served.get(key);
  if (other) c.diagnostics.push(c.locate.at(where, `${other} is already named "${name}": give one of them its own name:`, { key: true }));
  else c.served.set(key, routeLabel(where));
}

/** How many levels the filter's wildcards give the templates: one per `+`, one for `#`. */
function wildcardsOf(topic: string | undefined): number | undefined {
  return topic === undefined ? undefined : wildcardCount(topic);
}

function durationMs(text: string): number {
  const [, n, unit] = /^([0-9]+)(ms|s|m|h)$/.exec(text) ?? [];
  return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
}
