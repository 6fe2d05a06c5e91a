/**
 * `on_change:` of an MQTT route: a Liquid expression (`body.contact`) whose value, rendered for each
 * message, is compared with the last one sent for the same topic, as a bot job's `on_change:` is
 * with its last run (bots/jobs.ts). Compiled once at load; its problems are placed in the source.
 */
import type { Template } from "liquidjs";
import type { PathSegments } from "../../config/diagnostics.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { createLiquid } from "../../templates/liquid.ts";
import { liquidFailure, problemOf, referencesOf, type TemplateProblem } from "../../templates/template-check.ts";
import type { RenderOptions, TemplateScope } from "../../templates/template.ts";
import { MQTT_ROOTS } from "./mqtt-message.ts";

const liquid = createLiquid();
const PREFIX = "{{ ";

export interface CompiledValue {
  /** The expression's value as text (a missing field: empty text, unless `strict`). */
  render(scope: TemplateScope, options?: RenderOptions): string;
}

export function checkOnChange(source: string, at: PathSegments, c: RouteChecks): CompiledValue | undefined {
  const problems = compile(source);
  if (!Array.isArray(problems)) return problems;
  for (const p of problems) c.diagnostics.push(c.locate.inValue(at, `bad expression: ${p.message}`, p.offset));
  return undefined;
}

function compile(source: string): CompiledValue | TemplateProblem[] {
  if (/\{\{|\}\}|\{%|%\}/.test(source)) return [{ message: "an expression such as body.contact, without {{ }} or {% %}", offset: 0 }];
  let program: Template[];
  try {
    program = liquid.parse(`${PREFIX}${source} }}`);
  } catch (err) {
    const p = problemOf(err);
    return [{ message: p.message, offset: Math.max(0, p.offset - PREFIX.length) }];
  }
  const bad = referencesOf(liquid, program, `${PREFIX}${source} }}`, MQTT_ROOTS).filter((r) => r.problem);
  if (bad.length) return bad.map((r) => ({ message: r.problem ?? "", offset: Math.max(0, r.offset - PREFIX.length) }));
  return {
    render(scope, options = {}) {
      try {
        return liquid.renderSync(program, scope, { strictVariables: options.strict ?? false }) as string;
      } catch (err) {
        throw liquidFailure(err);
      }
    },
  };
}
