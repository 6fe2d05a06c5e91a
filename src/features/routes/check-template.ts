/**
 * A declarative route's `send:` templates and `when:` condition: compiled (every problem reported
 * at its place in the YAML), then each name read checked against what the route can actually
 * give it: `params.X` needs `:X` in the path, `body.X` a declared field X (unless the route takes
 * undeclared fields), and a GET route reads no body at all.
 */
import { pathParams } from "../../http/paths.ts";
import { wildcardsProblem } from "../../mqtt/topic.ts";
import { compileTemplate, TemplateError, type CompiledTemplate, type Reference } from "../../templates/template.ts";
import { compileCondition, type CompiledCondition } from "../../templates/condition.ts";
import { DEFAULT_THREAD_LIMITS } from "../../store/threads.ts";
import { compileCorrection, type CompiledCorrection } from "./correct.ts";
import type { DeclarativeRoute } from "./schema.ts";
import type { Diagnostic, PathSegments, SourceLocator } from "../../config/diagnostics.ts";
import { didYouMean as hint } from "../../config/suggest.ts";

export interface RouteShape {
  /** The path when it is valid; its `:name` segments are the params a template can read. */
  path: string | undefined;
  method: string;
  /** The declared body fields, or undefined when any field may come (no `body:`, or open to undeclared fields). */
  bodyFields: readonly string[] | undefined;
  /** The names its templates read, when not an HTTP route's (an MQTT route's: topic, wildcards, body...). */
  roots?: readonly string[];
  /** An MQTT route: how many levels its filter's wildcards match, so wildcards[n] past them is refused. */
  wildcards?: number;
}

export function checkTemplate(
  source: string,
  at: PathSegments,
  route: RouteShape,
  locate: SourceLocator,
  out: Diagnostic[],
): CompiledTemplate | undefined {
  return checkCompiled(() => compileTemplate(source, route.roots), "template", at, route, locate, out);
}

/** `when:`, checked like a template: syntax, then every name it reads. */
export function checkCondition(
  source: string,
  at: PathSegments,
  route: RouteShape,
  locate: SourceLocator,
  out: Diagnostic[],
): CompiledCondition | undefined {
  return checkCompiled(() => compileCondition(source, route.roots), "condition", at, route, locate, out);
}

/** `correct:` as routes.yaml writes it. */
type CorrectKeys = NonNullable<DeclarativeRoute["correct"]>;

/** `correct:`: its `last` condition like `when:`, then its `key` expression. */
export function checkCorrection(
  namespace: string,
  raw: CorrectKeys,
  at: PathSegments,
  route: RouteShape,
  locate: SourceLocator,
  out: Diagnostic[],
): CompiledCorrection | undefined {
  if (raw.last !== undefined && !checkCondition(raw.last, [...at, "last"], route, locate, out)) return undefined;
  const limits = { maxThreads: raw.max_threads ?? DEFAULT_THREAD_LIMITS.maxThreads, ttlS: raw.ttl_s ?? DEFAULT_THREAD_LIMITS.ttlS };
  return checkCompiled(
    () => compileCorrection(namespace, raw.key, raw.last, limits, route.roots),
    "key",
    [...at, "key"],
    route,
    locate,
    out,
  );
}

export function checkCompiled<T extends { references: readonly Reference[] }>(
  compile: () => T,
  what: string,
  at: PathSegments,
  route: RouteShape,
  locate: SourceLocator,
  out: Diagnostic[],
): T | undefined {
  let template: T;
  try {
    template = compile();
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    for (const p of err.problems) out.push(locate.inValue(at, `bad ${what}: ${p.message}`, p.offset));
    return undefined;
  }
  const before = out.length;
  for (const { path, text, offset } of template.references) {
    const problem = referenceProblem(path, text, route);
    if (problem) out.push(locate.inValue(at, problem, offset));
  }
  return out.length === before ? template : undefined;
}

function referenceProblem(path: ReadonlyArray<string | number>, expr: string, route: RouteShape): string | undefined {
  const [root, second] = path;
  const name = second === undefined ? undefined : String(second);
  if (root === "wildcards" && route.wildcards !== undefined && typeof second === "number" && second >= route.wildcards)
    return wildcardsProblem(expr, route.wildcards);
  if (root === "params" && route.path !== undefined) {
    const params = pathParams(route.path);
    if (name === undefined || params.includes(name)) return undefined;
    const known = params.length ? `(params: ${params.join(", ")})` : "(it has no :params)";
    return `template uses {{ ${expr} }} but the path ${route.path} has no :${name}${hint(name, params)} ${known}`;
  }
  if (root === "body" && route.method === "GET")
    return `template uses {{ ${expr} }} but a GET route reads no body (use query.${name ?? "name"} or params)`;
  if (root === "body" && route.bodyFields && name !== undefined && !route.bodyFields.includes(name)) {
    return `template uses {{ ${expr} }} but body declares no field "${name}"${hint(name, route.bodyFields)} (declared: ${route.bodyFields.join(", ")})`;
  }
  return undefined;
}
