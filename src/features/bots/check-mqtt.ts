/**
 * A bot's MQTT keys (issue 23): a command's `mqtt:` (what it publishes) and a job's `mqtt:` (the
 * topic filter it watches). Both need the broker of the top-level `mqtt:` section; a topic to
 * publish to has no wildcards in its literal text (MQTT 5 §4.7.1) and its printed values stay one
 * level each (templates/topic.ts); a filter follows §4.7.1.2-3.
 */
import { isRecord } from "../../kit/bounded.ts";
import { filterProblem } from "../../mqtt/topic.ts";
import { compileJsonPayload, JSON_TEXT_WARNING, payloadLiquid, unescapedJsonOutput, type LeafPath } from "../../templates/payload.ts";
import { renderTopic, topicLiquid, topicTemplateProblem } from "../../templates/topic.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { ROOTS, type CompiledJob, type CompiledMqtt } from "./compiled.ts";
import { BotTemplateError, compileText, type TextTemplate } from "./text-template.ts";
import { fail, type BotChecks } from "./check-common.ts";

type Qos = 0 | 1 | 2;
const qosOf = (value: unknown): Qos => (value === 0 || value === 2 ? value : 1);

/** A command's `mqtt: { topic, payload, qos, retain }`. */
export function checkPublish(raw: unknown, at: PathSegments, c: BotChecks): CompiledMqtt | undefined {
  if (!isRecord(raw)) return undefined;
  const broker = needsBroker(at, c);
  const topic = typeof raw.topic === "string" ? topicTemplate(raw.topic, [...at, "topic"], c) : undefined;
  const payload = payloadTemplate(raw.payload ?? "", [...at, "payload"], c);
  if (!broker || !topic || !payload) return undefined;
  return { topic, payload, qos: qosOf(raw.qos), retain: raw.retain === true };
}

/** A job's `mqtt: { topic, qos }`: the filter it watches. */
export function checkWatch(raw: unknown, at: PathSegments, c: BotChecks): CompiledJob["watch"] {
  if (!isRecord(raw) || typeof raw.topic !== "string") return undefined;
  const broker = needsBroker(at, c);
  const problem = filterProblem(raw.topic);
  if (problem !== undefined) return fail(c, [...at, "topic"], `not a topic filter: ${problem}`);
  return broker ? { filter: raw.topic, qos: qosOf(raw.qos) } : undefined;
}

function needsBroker(at: PathSegments, c: BotChecks): boolean {
  if (c.mqtt) return true;
  c.diagnostics.push(
    c.locate.at(at, "mqtt: needs the broker: add the top-level mqtt: section (url: mqtt://host:1883, docs/mqtt.md)", { key: true }),
  );
  return false;
}

function topicTemplate(source: string, at: PathSegments, c: BotChecks): TextTemplate | undefined {
  const literal = topicTemplateProblem(source);
  if (literal) return void c.diagnostics.push(c.locate.inValue(at, literal.message, literal.offset));
  const template = compiled(source, topicLiquid, at, c);
  return template && { render: (scope) => renderTopic(() => template.render(scope)) };
}

/** A text template, or JSON the gateway writes from a mapping or list (templates/payload.ts). */
function payloadTemplate(value: unknown, at: PathSegments, c: BotChecks): TextTemplate | undefined {
  if (typeof value === "string") {
    const unescaped = unescapedJsonOutput(value);
    if (unescaped !== undefined) c.warnings.push({ ...c.locate.inValue(at, JSON_TEXT_WARNING, unescaped), severity: "warning" });
    return compiled(value, payloadLiquid, at, c);
  }
  const leaf = (source: string, path: LeafPath) => compiled(source, payloadLiquid, [...at, ...path], c)?.render;
  const render = compileJsonPayload<Record<string, unknown>, undefined>(value, leaf);
  return render && { render: (scope) => render(scope, undefined) };
}

function compiled(source: string, engine: typeof payloadLiquid, at: PathSegments, c: BotChecks): TextTemplate | undefined {
  try {
    return compileText(source, ROOTS.publish, engine);
  } catch (err) {
    if (!(err instanceof BotTemplateError)) throw err;
    for (const p of err.problems) c.diagnostics.push(c.locate.inValue(at, `bad template: ${p.message}`, p.offset));
    return undefined;
  }
}
