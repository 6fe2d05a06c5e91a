/**
 * Declarative HTTP -> MQTT (issue 23): a `path:` route with `publish: { topic, payload, qos,
 * retain }` instead of `send:`. Its templates read the request as `send:` does (params, query,
 * body, headers, user, id); the topic's printed values stay one level each (templates/topic.ts).
 * The request is answered once the broker has the message (QoS 1: PUBACK, QoS 2: PUBCOMP,
 * MQTT 5 §4.3): 201 `{"status":"published",...}`; with the broker away, 503 MQTT_UNAVAILABLE at
 * once, nothing kept for later (a 2xx means it happened).
 */
import type { Liquid, Template } from "liquidjs";
import { isRecord } from "../../kit/bounded.ts";
import { GatewayError, jsonResponse } from "../../plugin-api/errors.ts";
import type { Mqtt } from "../../mqtt/types.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { compileJsonPayload, JSON_TEXT_WARNING, payloadLiquid, unescapedJsonOutput, type LeafPath } from "../../templates/payload.ts";
import { renderTopic, topicLiquid, topicTemplateProblem } from "../../templates/topic.ts";
import { liquidFailure, problemOf, referencesOf, type Reference } from "../../templates/template-check.ts";
import { TemplateError, type RenderOptions } from "../../templates/template.ts";
import type { TemplateScope } from "../../templates/scope.ts";
import { checkCompiled, type RouteShape } from "./check-template.ts";

interface RequestText {
  readonly references: readonly Reference[];
  render(scope: TemplateScope, options: RenderOptions): string;
}

export interface CompiledPublish {
  topic: RequestText;
  /** A text template, or JSON the gateway writes from a mapping or list (templates/payload.ts). */
  payload: Pick<RequestText, "render">;
  qos: 0 | 1 | 2;
  retain: boolean;
}

/**
 * A route's `publish:`: instead of `send:` (and so of `attach:`, which sends files after the
 * messages), its templates checked against what the route gives them, each problem at its place.
 */
export function checkPublish(
  route: Record<string, unknown>,
  routeAt: PathSegments,
  shape: RouteShape,
  c: RouteChecks,
): CompiledPublish | undefined {
  const at = [...routeAt, "publish"];
  for (const [key, what] of [
    ["send", "a route either sends stanzas (send:) or publishes to MQTT (publish:), not both"],
    ["attach", "a route that publishes to MQTT sends no message to attach files to: attach: needs send:"],
  ] as const)
    if (route[key] !== undefined) c.diagnostics.push(c.locate.at([...routeAt, key], what, { key: true }));
  const raw = isRecord(route.publish) ? route.publish : {};
  const broker = c.sections.includes("mqtt");
  if (!broker)
    c.diagnostics.push(
      c.locate.at(at, "publish: needs the broker: add the top-level mqtt: section (url: mqtt://host:1883, docs/mqtt.md)", { key: true }),
    );
  const compile = (key: string, engine: Liquid) =>
    typeof raw[key] === "string"
      ? checkCompiled(() => compileRequestText(raw[key] as string, engine), key, [...at, key], shape, c.locate, c.diagnostics)
      : undefined;
  const literal = typeof raw.topic === "string" ? topicTemplateProblem(raw.topic) : undefined;
  if (literal) c.diagnostics.push(c.locate.inValue([...at, "topic"], literal.message, literal.offset));
  const topic = literal ? undefined : compile("topic", topicLiquid);
  const payload = typeof raw.payload === "string" ? compile("payload", payloadLiquid) : jsonPayload(raw.payload, at, shape, c);
  const unescaped = typeof raw.payload === "string" ? unescapedJsonOutput(raw.payload) : undefined;
  if (unescaped !== undefined)
    c.warnings.push({ ...c.locate.inValue([...at, "payload"], JSON_TEXT_WARNING, unescaped), severity: "warning" });
  if (!broker || !topic || !payload || route.send !== undefined || route.attach !== undefined) return undefined;
  return { topic, payload, qos: raw.qos === 0 || raw.qos === 2 ? raw.qos : 1, retain: raw.retain === true };
}

/** A mapping or list as payload: JSON the gateway writes, each string leaf a template (templates/payload.ts). */
function jsonPayload(value: unknown, at: PathSegments, shape: RouteShape, c: RouteChecks): CompiledPublish["payload"] | undefined {
  const leaf = (source: string, path: LeafPath) =>
    checkCompiled(() => compileRequestText(source, payloadLiquid), "payload", [...at, "payload", ...path], shape, c.locate, c.diagnostics)
      ?.render;
  const render = compileJsonPayload<TemplateScope, RenderOptions>(value, leaf);
  return render && { render };
}

/** Publishes what the request renders; answered 201 once the broker has it. */
export async function publishRequest(
  spec: CompiledPublish,
  scope: TemplateScope,
  options: RenderOptions,
  mqtt: Pick<Mqtt, "publish"> | undefined,
): Promise<Response> {
  const topic = renderTopic(() => spec.topic.render(scope, options));
  const payload = spec.payload.render(scope, options);
  if (!mqtt) throw new GatewayError("MQTT_UNAVAILABLE", "This gateway has no MQTT broker (no mqtt: section)");
  const { qos, retain } = spec;
  await mqtt.publish(topic, payload, { qos, retain });
  return jsonResponse(201, { status: "published", topic, qos, retain, bytes: Buffer.byteLength(payload) });
}

/** A text template over the request (no XML around it); throws TemplateError naming every problem. */
function compileRequestText(source: string, engine: Liquid): RequestText {
  let program: Template[];
  try {
    program = engine.parse(source);
  } catch (err) {
    const p = problemOf(err);
    throw new TemplateError(p.message, p.offset);
  }
  const references = referencesOf(engine, program, source);
  const [first, ...more] = references.filter((r) => r.problem).map((r) => ({ message: r.problem ?? "", offset: r.offset }));
  if (first) throw new TemplateError(first.message, first.offset, more);
  return {
    references,
    render(scope, options) {
      try {
        return engine.renderSync(program, scope, { strictVariables: options.strict ?? false });
      } catch (err) {
        throw liquidFailure(err);
      }
    },
  };
}
