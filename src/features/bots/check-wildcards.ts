/**
 * A watching job's `wildcards[n]` past its filter's wildcard levels (`a/+` has one: wildcards[0]),
 * refused at its place as an MQTT route's is: at run time it would print an empty string.
 * The job's templates are already compiled by then; this reads their sources once more.
 */
import type { PathSegments } from "../../config/diagnostics.ts";
import { isRecord } from "../../kit/bounded.ts";
import { wildcardCount, wildcardsProblem } from "../../mqtt/topic.ts";
import { createLiquid } from "../../templates/liquid.ts";
import { referencesOf } from "../../templates/template-check.ts";
import type { BotChecks } from "./check-common.ts";

const liquid = createLiquid();

/** Each template source of the job, with what wraps it when it is an expression (when:, on_change:). */
function sources(
  job: Record<string, unknown>,
  at: PathSegments,
): Array<{ source: string; before: string; after: string; at: PathSegments }> {
  const found: Array<{ source: string; before: string; after: string; at: PathSegments }> = [];
  const add = (source: unknown, where: PathSegments, before = "", after = "") =>
    typeof source === "string" && found.push({ source, before, after, at: where });
  add(job.when, [...at, "when"], "{% if ", " %}x{% endif %}");
  add(job.on_change, [...at, "on_change"], "{{ ", " }}");
  for (const [i, item] of (Array.isArray(job.send) ? job.send : []).entries()) {
    if (isRecord(item)) add(item.text, [...at, "send", i, "text"]);
    else add(item, [...at, "send", i]);
  }
  return found;
}

export function checkJobWildcards(job: Record<string, unknown>, filter: string, at: PathSegments, c: BotChecks): boolean {
  const count = wildcardCount(filter);
  let ok = true;
  for (const { source, before, after, at: where } of sources(job, at)) {
    const text = before + source + after;
    for (const ref of referencesOf(liquid, liquid.parse(text), text)) {
      const [root, index] = ref.path;
      if (root !== "wildcards" || typeof index !== "number" || index < count) continue;
      c.diagnostics.push(c.locate.inValue(where, wildcardsProblem(ref.text, count), Math.max(0, ref.offset - before.length)));
      ok = false;
    }
  }
  return ok;
}
