/**
 * A bot's `jobs:` beyond the schema: exactly one schedule (`every:`, a cron expression croner
 * accepts, or `mqtt:`, a topic watched), unique names, and templates reading only http.*, error
 * and last.* (a watching job: topic, wildcards, body, retain and last.*).
 */
import { Cron } from "croner";
import { isRecord } from "../../kit/bounded.ts";
import { ROOTS, type CompiledJob } from "./compiled.ts";
import type { StanzaTemplate } from "./stanza-template.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { BotTemplateError, compileText, type TextTemplate } from "./text-template.ts";
import { checkHttp, checkSend, fail, type BotChecks } from "./check-common.ts";
import { checkWatch } from "./check-mqtt.ts";
import { checkJobWildcards } from "./check-wildcards.ts";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

export function checkJobs(raw: unknown, bot: PathSegments, c: BotChecks, jid: string): CompiledJob[] {
  const names = new Set<string>();
  return (Array.isArray(raw) ? raw : []).flatMap((job: unknown, i) => {
    const at = [...bot, "jobs", i];
    if (!isRecord(job)) return [];
    if (typeof job.name === "string" && names.has(job.name)) fail(c, [...at, "name"], `another job of this bot is named "${job.name}"`);
    if (typeof job.name === "string") names.add(job.name);
    return checkJob(job, at, c, jid) ?? [];
  });
}

function checkJob(job: Record<string, unknown>, at: PathSegments, c: BotChecks, jid: string): CompiledJob | undefined {
  const next = schedule(job, at, c);
  const watch = job.mqtt === undefined ? undefined : checkWatch(job.mqtt, [...at, "mqtt"], c);
  if (job.mqtt !== undefined && job.http !== undefined)
    fail(c, [...at, "http"], "a job that watches a topic (mqtt:) reads the message, not an http: call");
  const http = isRecord(job.http) ? checkHttp(job.http, [...at, "http"], c, ROOTS.jobRequest) : undefined;
  // A watching job reads the message (watch.ts), a scheduled one its check.
  const roots = job.mqtt === undefined ? ROOTS.job : ROOTS.watch;
  // Both are compiled as bot text templates, so they read only the job's names.
  const when =
    typeof job.when === "string"
      ? expression("{% if ", job.when, " %}true{% else %}false{% endif %}", [...at, "when"], c, roots)
      : undefined;
  const onChange = typeof job.on_change === "string" ? expression("{{ ", job.on_change, " }}", [...at, "on_change"], c, roots) : undefined;
  const send = Array.isArray(job.send) ? job.send.map((item: unknown, i) => checkSend(item, jid, [...at, "send", i], c, roots)) : [];
  // Only once every template compiled: a source that does not parse was said once already.
  const compiled = (job.when === undefined || when) && (job.on_change === undefined || onChange) && send.every((s) => s);
  if (watch && compiled && !checkJobWildcards(job, watch.filter, at, c)) return undefined;
  if (
    !next ||
    (job.mqtt !== undefined && !watch) ||
    typeof job.name !== "string" ||
    (job.http !== undefined && !http) ||
    (job.when !== undefined && !when) ||
    (job.on_change !== undefined && !onChange) ||
    send.some((s) => !s)
  )
    return undefined;
  return { name: job.name, next, http, watch, when, onChange, send: send as StanzaTemplate[] };
}

function schedule(job: Record<string, unknown>, at: PathSegments, c: BotChecks): CompiledJob["next"] | undefined {
  const given = [job.every, job.cron, job.mqtt].filter((x) => x !== undefined).length;
  if (given !== 1) return fail(c, at, "a job needs exactly one of every: (30s, 5m, 1h), cron: and mqtt: (a topic to watch)");
  // Watched: runs come from the broker's messages (watch.ts), never from a timer.
  if (job.mqtt !== undefined) return () => undefined;
  const every = typeof job.every === "string" ? /^([1-9][0-9]*)([smh])$/.exec(job.every) : null;
  if (every) {
    const ms = Number(every[1]) * UNIT_MS[every[2] as keyof typeof UNIT_MS];
    return (from) => from + ms;
  }
  if (typeof job.cron !== "string") return undefined;
  if (job.cron.trim().split(/\s+/).length !== 5)
    return fail(c, [...at, "cron"], `expected 5 fields (minute hour day month weekday), found ${JSON.stringify(job.cron)}`);
  try {
    const cron = new Cron(job.cron, { paused: true });
    return (from) => cron.nextRun(new Date(from))?.getTime();
  } catch (err) {
    return fail(c, [...at, "cron"], `bad cron expression: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `source` wrapped into a template; problems are placed in `source` itself. */
function expression(
  before: string,
  source: string,
  after: string,
  at: PathSegments,
  c: BotChecks,
  roots: readonly string[],
): TextTemplate | undefined {
  if (/\{\{|\}\}|\{%|%\}/.test(source)) return fail(c, at, "an expression such as http.json.state, without {{ }} or {% %}");
  try {
    return compileText(before + source + after, roots);
  } catch (err) {
    if (!(err instanceof BotTemplateError)) throw err;
    for (const p of err.problems)
      c.diagnostics.push(
        c.locate.inValue(at, `bad expression: ${p.message}`, Math.min(source.length, Math.max(0, p.offset - before.length))),
      );
    return undefined;
  }
}
