/**
 * `stanzagate render --route mqtt:TOPIC [--body FILE|-] [--pretty]`: what a message published on
 * TOPIC would send, through every MQTT route whose filter takes it, without connecting. The same
 * handler as `serve` (mqtt-handler.ts) with a delivery that only collects; one render has no
 * earlier message, so on_change, min_interval and correct: never hold it back.
 */
import type { Element } from "ltx";
import type { LoadedConfig } from "../../config/load.ts";
import type { CliOutput } from "../../feature-api.ts";
import { LruMap } from "../../kit/bounded.ts";
import { createLogger } from "../../log.ts";
import { matchTopic, topicProblem } from "../../mqtt/topic.ts";
import { memoryRemembered } from "./correct.ts";
import type { MqttRouteConfig } from "./mqtt-check.ts";
import { mqttHandler, type MqttRouteOutcome } from "./mqtt-handler.ts";

/** The `--route` of an MQTT message: `mqtt:` and its topic. */
export const MQTT_RENDER = "mqtt:";

/** Exit code: 0 when a route would send or skip it, 1 when one refuses it, 2 for a topic no route takes. */
export async function renderMqtt(
  config: LoadedConfig,
  topic: string,
  body: Uint8Array | undefined,
  io: CliOutput & { pretty(el: Element): string },
): Promise<number> {
  const all = config.routes.filter((r): r is MqttRouteConfig => r.kind === "mqtt");
  const problem = topicProblem(topic);
  const routes = problem ? [] : all.filter((r) => matchTopic(r.mqtt.topic, topic) !== undefined);
  if (!routes.length) {
    io.err(problem ?? `no MQTT route takes ${topic} (their topics: ${all.map((r) => r.mqtt.topic).join(", ") || "none"})`);
    return 2;
  }
  let failed = false;
  for (const route of routes) failed = (await renderOne(config, route, topic, body ?? new Uint8Array(), io)) || failed;
  return failed ? 1 : 0;
}

/** True when the route refuses the message. */
async function renderOne(
  config: LoadedConfig,
  route: MqttRouteConfig,
  topic: string,
  payload: Uint8Array,
  io: CliOutput & { pretty(el: Element): string },
) {
  const sent: Element[] = [];
  let outcome: MqttRouteOutcome | undefined;
  let n = 0;
  const handle = mqttHandler(route, {
    component: config.xmpp.component,
    newId: () => `render-${++n}`,
    deliver: async (stanza) => (sent.push(stanza), "sent"),
    reserve: () => () => undefined,
    roomTimeoutMs: config.xmpp.iq_timeout_ms,
    remembered: memoryRemembered(),
    lastValues: { get: () => undefined, set: () => undefined, delete: () => undefined },
    lastSent: new LruMap(1),
    now: Date.now,
    count: (o) => void (outcome = o),
    log: createLogger({ level: "warn", write: (line) => io.err(`${route.name}: ${said(line)}`) }),
  });
  await handle({ topic, payload, qos: 1, retain: false, properties: {} });
  for (const stanza of sent) io.out(io.pretty(stanza));
  if (outcome === "skipped_when") io.err(`${route.name}: nothing would be sent (when: is false, or the templates produced no stanza)`);
  return outcome === "refused";
}

/** A refusal's reason, as the log line gives it. */
function said(line: string): string {
  const { reason, msg } = JSON.parse(line) as { reason?: unknown; msg?: unknown };
  return String(reason ?? msg);
}
