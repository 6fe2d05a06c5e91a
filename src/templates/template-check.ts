/**
 * Liquid's errors in Stanzagate's terms: at load, a problem at an offset of the template source
 * (for `check` to print file:line:col); at render, a GatewayError for the HTTP caller, naming the
 * field or the template expression, never a 500 for a payload that does not fit.
 */
import { LiquidError, Variable, type Liquid, type Template } from "liquidjs";
import { GatewayError } from "../plugin-api/errors.ts";
import { suggest } from "../config/suggest.ts";
import { TEMPLATE_ROOTS } from "./scope.ts";

export interface TemplateProblem {
  message: string;
  /** Offset in the template source, where known (0 otherwise). */
  offset: number;
}

/** A variable the template reads from the request: `body.alerts[0].labels` is ["body", "alerts", 0, "labels"]. */
export interface Reference {
  path: ReadonlyArray<string | number>;
  text: string;
  offset: number;
  /** Set when the root is not one a template can read. */
  problem?: string;
}

/** Every global variable (not a loop variable, not an `assign`) with where it is written. */
export function referencesOf(liquid: Liquid, template: Template[], source: string, roots: readonly string[] = TEMPLATE_ROOTS): Reference[] {
  const lineStarts = [0, ...[...source.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)];
  const analysis = liquid.analyzeSync(template, { partials: false });
  return Object.values(analysis.globals).flatMap((vars) =>
    vars.map((v) => {
      const path = v.segments.map((s) => (s instanceof Variable ? "*" : s));
      const offset = (lineStarts[v.location.row - 1] ?? 0) + v.location.col - 1;
      return { path, text: v.toString(), offset, problem: rootProblem(String(path[0]), v.toString(), roots) };
    }),
  );
}

function rootProblem(root: string, text: string, roots: readonly string[]): string | undefined {
  if (roots.includes(root)) return undefined;
  const hint = suggest(root, roots);
  return `"${text}" starts with an unknown name${hint ? ` (did you mean "${hint}"?)` : ""} (known: ${roots.join(", ")}, and names set by {% for %} or {% assign %})`;
}

interface LiquidLike extends Error {
  token?: { begin: number; getText(): string };
  originalError?: Error & { variableName?: string };
}

/** A Liquid parse error as a problem at its place; the wording names what to fix. */
export function problemOf(err: unknown): TemplateProblem {
  if (!(err instanceof Error)) throw err;
  const e = err as LiquidLike;
  const message = e.message.replace(/, line:\d+, col:\d+$/, "");
  const offset = e.token?.begin ?? 0;
  if (e.name === "TokenizationError" && /not closed/.test(message)) return { message: `unbalanced {{ }} or {% %}: ${message}`, offset };
  if (e.name === "TokenizationError" && e.token)
    return {
      message: `"${e.token.getText()}" is not a valid expression (not a dotted name such as body.text, nor Liquid: ${message})`,
      offset,
    };
  if (!LiquidError.is(err)) throw err;
  return { message, offset };
}

/** A render error as the HTTP caller's answer; anything not caused by the payload stays a fault. */
export function liquidFailure(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (!(err instanceof Error)) throw err;
  const e = err as LiquidLike;
  const where = e.token?.getText();
  const cause = e.originalError;
  if (cause instanceof GatewayError) {
    return new GatewayError(cause.spec, cause.message, { details: { ...cause.details, ...(where ? { template: where } : {}) } });
  }
  if (e.name === "UndefinedVariableError") {
    const name = cause?.variableName ?? e.message.replace(/^undefined variable: /, "").replace(/, line:.*$/, "");
    const field = name.replace(/\.(\d+)(?=\.|$)/g, "[$1]");
    return new GatewayError("MISSING_FIELD", `The payload has no ${field}, which this route's template reads (strict: true)`, {
      details: { field },
    });
  }
  if (e.name === "RenderError") {
    const reason = (cause?.message ?? e.message).replace(/, line:\d+, col:\d+$/, "");
    return new GatewayError("PAYLOAD_MISMATCH", undefined, { details: { reason, ...(where ? { template: where } : {}) } });
  }
  // LiquidJS also checks its time limit (wall clock) as a render starts, outside the RenderError
  // it wraps the rest in: a process paused past the limit (GC, SIGSTOP, a starved host) lands here.
  if (e.name === "AssertionError" && / limit exceeded$/.test(e.message)) {
    return new GatewayError("PAYLOAD_MISMATCH", undefined, { details: { reason: e.message } });
  }
  throw err;
}
