/**
 * `stanzagate render --route mqtt:TOPIC [--body FILE|-] [--pretty]`: what a message published on
 * TOPIC would send, through every MQTT route whose filter takes it and every bot job watching it
 * (given by main.ts: a feature reads no other's), without connecting. The same
 * handler as `serve` (mqtt-handler.ts) with a delivery that only collects; one render has no
 * earlier message, so on_change, min_interval and correct: never hold it back.
 */
import type { Element } from "ltx";
import type { LoadedConfig } from "../../config/load.ts";
import { LruMap } from "../../kit/bounded.ts";
import { createLogger } from "../../log.ts";
import type { RenderIo, TopicWatchers } from "../../mqtt/render.ts";
import { matchTopic, topicProblem } from "../../mqtt/topic.ts";
import { memoryRemembered } from "./correct.ts";
import type { MqttRouteConfig } from "./mqtt-check.ts";
import { mqttHandler, type MqttRouteOutcome } from "./mqtt-handler.ts";

/** The `--route` of an MQTT message: `mqtt:` and its topic. */
export const MQTT_RENDER = "mqtt:";

/** Exit code: 0 when a route or job would send or skip it, 1 when one refuses it, 2 for a topic none takes. */
export async function renderMqtt(
  config: LoadedConfig,
  topic: string,
  body: Uint8Array | undefined,
  io: RenderIo,
  watchers?: TopicWatchers,
): Promise<number> {
  const all = config.routes.filter((r): r is MqttRouteConfig => r.kind === "mqtt");
  const problem = topicProblem(topic);
  if (problem) return (io.err(problem), 2);
  const routes = all.filter((r) => matchTopic(r.mqtt.topic, topic) !== undefined);
  const payload = body ?? new Uint8Array();
  let failed = false;
  for (const route of routes) failed = (await renderOne(config, route, topic, payload, io)) || failed;
  const jobs = (await watchers?.render(topic, payload, io)) ?? { matched: 0, failed: false };
  if (routes.length + jobs.matched === 0) {
    const jobTopics = watchers?.filters.length ? `; bot jobs watch: ${watchers.filters.join(", ")}` : "";
    io.err(`no MQTT route or bot job takes ${topic} (route topics: ${all.map((r) => r.mqtt.topic).join(", ") || "none"}${jobTopics})`);
    return 2;
  }
  return failed || jobs.failed ? 1 : 0;
}

/** True when the route refuses the message. */
async function renderOne(config: LoadedConfig, route: MqttRouteConfig, topic: string, payload: Uint8Array, io: RenderIo) {
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
