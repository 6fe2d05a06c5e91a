/**
 * `when:` on a declarative route: a Liquid condition, compiled once at load like a template, with
 * the same names (template-check.ts) and the same render errors (400/422, never a 5xx).
 */
import type { Template } from "liquidjs";
import { createLiquid } from "./liquid.ts";
import { liquidFailure, problemOf, referencesOf, type Reference } from "./template-check.ts";
import { TemplateError, type RenderOptions } from "./template.ts";
import type { TemplateScope } from "./scope.ts";

const liquid = createLiquid();

export interface CompiledCondition {
  readonly references: readonly Reference[];
  test(scope: TemplateScope, options?: RenderOptions): boolean;
}

/** `when:`: a Liquid condition, as `{% if %}` reads it; offsets are those of the expression. `roots`: the names it may read (an MQTT route's). */
export function compileCondition(expression: string, roots?: readonly string[]): CompiledCondition {
  const prefix = "{% if ";
  const source = `${prefix}${expression} %}1{% endif %}`;
  let program: Template[];
  try {
    if (/%\}|\{%/.test(expression)) throw new TemplateError('a condition is an expression such as body.status == "firing", without {% %}');
    program = liquid.parse(source);
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    const p = problemOf(err);
    throw new TemplateError(p.message, Math.max(0, p.offset - prefix.length));
  }
  const references = referencesOf(liquid, program, source, roots).map((r) => ({ ...r, offset: Math.max(0, r.offset - prefix.length) }));
  const bad = references.filter((r) => r.problem).map((r) => ({ message: r.problem ?? "", offset: r.offset }));
  const [first, ...more] = bad;
  if (first) throw new TemplateError(first.message, first.offset, more);
  return {
    references,
    test(scope, options = {}) {
      try {
        return liquid.renderSync(program, scope, { strictVariables: options.strict ?? false }) === "1";
      } catch (err) {
        throw liquidFailure(err);
      }
    },
  };
}
