/**
 * Plain-text templates of bots (reply:, error:, unknown:, and the URL, headers and body of an HTTP
 * call): the Liquid engine of the stanza templates (templates/liquid.ts: no files, bounded render,
 * values must be text) without the XML around them. A URL template URL-encodes every printed
 * value and keeps the origin its literal text names (see `compileUrl`).
 */
import type { Liquid, Template } from "liquidjs";
import { createLiquid } from "../../templates/liquid.ts";
import { liquidFailure, problemOf, referencesOf } from "../../templates/template-check.ts";

export interface TemplateProblem {
  message: string;
  offset: number;
}

export class BotTemplateError extends Error {
  constructor(readonly problems: TemplateProblem[]) {
    super(problems[0]?.message ?? "bad template");
  }
}

export interface TextTemplate {
  render(scope: Record<string, unknown>): string;
}

const text = createLiquid();
// encodeURIComponent keeps "/", "?", "#", "@" and ":" out of a printed value's meaning.
const url = createLiquid(encodeURIComponent);

/** Compiles `source`; every name it reads must start with one of `roots`. Throws BotTemplateError. */
export function compileText(source: string, roots: readonly string[], engine: Liquid = text): TextTemplate {
  let program: Template[];
  try {
    program = engine.parse(source);
  } catch (err) {
    throw new BotTemplateError([problemOf(err)]);
  }
  const bad = referencesOf(engine, program, source)
    .filter((r) => !roots.includes(String(r.path[0])))
    .map((r) => ({ message: `"${r.text}" is not something a bot template can read (known: ${roots.join(", ")})`, offset: r.offset }));
  if (bad.length) throw new BotTemplateError(bad);
  return {
    render(scope) {
      try {
        return engine.renderSync(program, scope);
      } catch (err) {
        throw liquidFailure(err);
      }
    },
  };
}

/**
 * A URL template whose origin is literal: `http://127.0.0.1:8081/sensors/{{ match.room }}` may
 * only ever call http://127.0.0.1:8081. Printed values are URL-encoded; a rendered URL with another
 * origin (which encoding should make impossible) is refused all the same.
 */
export function compileUrl(source: string, roots: readonly string[]): TextTemplate & { origin: string } {
  const literal = /^(https?:\/\/[^/?#{}%]+)(?:[/?#]|$)/i.exec(source);
  const origin = literal?.[1] ? safeOrigin(literal[1]) : undefined;
  if (!origin)
    throw new BotTemplateError([
      { message: "the scheme, host and port of the URL must be literal text (no {{ }} before the first /)", offset: 0 },
    ]);
  const template = compileText(source, roots, url);
  return {
    origin,
    render(scope) {
      const rendered = template.render(scope);
      if (safeOrigin(rendered) !== origin) throw new Error(`the rendered URL leaves ${origin}`);
      return rendered;
    },
  };
}

function safeOrigin(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}
