/**
 * A bot's `jobs:` (docs/bots.md, "Jobs"): on a schedule (`every:` or a cron expression), an optional
 * HTTP check, then `send:` when `when:` holds and, with `on_change:`, only when its value differs
 * from the last run's. The last run is kept in the store, so a restart does not repeat an alert.
 * Bounded: a run that is still going when its next time comes is skipped (one run per job at a
 * time), the check has the call's timeout, and stopping (reload, shutdown) clears every timer.
 * "One run at a time" holds across a reload too: the set of running jobs is the gateway's
 * (`running`), so a new configuration's run waits out the old one's that is still going.
 */
import type { Element } from "ltx";
import type { Logger } from "../../log.ts";
import type { BotJobOutcome, BotMetrics } from "../../metrics.ts";
import type { Keyed } from "../../plugin-api/store.ts";
import { callHttp, type HttpAnswer } from "./http-call.ts";
import { reason, renderRequest } from "./commands.ts";
import type { BotConfig, CompiledJob } from "./compiled.ts";
import { jidJobKey, jobKey } from "./job-key.ts";

/** What the store keeps of a job's last run; templates read it as `last.*`. */
export interface LastRun {
  value?: string;
  status?: number;
  held: boolean;
  error?: string;
  at: number;
}

export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface JobDeps {
  deliver(stanza: Element): Promise<unknown>;
  fetch: typeof fetch;
  log: Logger;
  last: Keyed<LastRun>;
  clock?: Clock;
  metrics?: BotMetrics;
  /** The jobs running now, by jobKey: shared by every generation of a gateway. */
  running?: Set<string>;
  /**
   * Whether this replica runs the job's run due at `at` (store/types.ts JobRuns): replicas sharing
   * a PostgreSQL store run it once. Absent: always (one gateway).
   */
  claim?(key: string, at: number, gapMs: number): Promise<boolean>;
  /**
   * Reads the job's last run as the store holds it into `last`, once this replica is given a run:
   * the run before may have been another replica's, not yet announced here (issue 26).
   */
  fresh?(key: string): Promise<unknown>;
}

const systemClock: Clock = {
  now: Date.now,
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
/** setTimeout's limit (2^31 - 1 ms); a later run is reached in several waits. */
const MAX_WAIT_MS = 2_147_483_647;

/** Starts every job of every bot; returns what stops them all. */
export function startJobs(bots: readonly BotConfig[], deps: JobDeps): () => void {
  const clock = deps.clock ?? systemClock;
  const handles = new Map<string, unknown>();
  const running = deps.running ?? new Set<string>();
  let stopped = false;
  for (const bot of bots) {
    for (const job of bot.jobs) {
      const key = jobKey(bot.jid, job.name);
      const count = (outcome: BotJobOutcome) => deps.metrics?.botJob(bot.jid, job.name, outcome);
      const plan = (from: number) => {
        const at = job.next(from);
        if (stopped || at === undefined) return;
        handles.set(
          key,
          clock.setTimeout(() => (clock.now() >= at ? fire(at) : plan(from)), Math.min(MAX_WAIT_MS, Math.max(0, at - clock.now()))),
        );
      };
      const fire = (at: number) => {
        plan(Math.max(at, clock.now()));
        if (running.has(key))
          return (count("skipped_running"), deps.log.warn("bot job still running, this run is skipped", { bot: bot.jid, job: job.name }));
        running.add(key);
        const run = () => runJob(bot, job, deps, clock).then(count);
        // Without replicas to ask, the run starts at once (as it always did).
        const claim = deps.claim;
        const decided = claim ? claimRun({ ...deps, claim }, key, at, job).then((mine) => (mine ? run() : undefined)) : run();
        void decided.finally(() => running.delete(key));
      };
      plan(clock.now());
    }
  }
  return () => {
    stopped = true;
    for (const h of handles.values()) clock.clearTimeout(h);
  };
}

/** The part of a period a claimed run keeps other replicas off the job: half, so clocks a little apart agree. */
const CLAIM_SHARE = 0.5;
// every: is 1s at least; a job whose next run is unknown (cron past its last) keeps this much.
const MIN_GAP_MS = 500;

/**
 * Whether this replica runs the run due at `at`, with the job's last run read fresh when it does.
 * A store that cannot be asked skips the run (a warning): two replicas could not agree, or the
 * last run is unknown, and a run repeated is the alert a job must not repeat.
 */
async function claimRun(
  deps: Pick<JobDeps, "fresh" | "log"> & Required<Pick<JobDeps, "claim">>,
  key: string,
  at: number,
  job: CompiledJob,
): Promise<boolean> {
  const gap = Math.max(MIN_GAP_MS, ((job.next(at) ?? at) - at) * CLAIM_SHARE);
  try {
    if (!(await deps.claim(key, at, gap))) return false;
    await deps.fresh?.(key);
    return true;
  } catch (err) {
    deps.log.warn("bot job skipped: the store could not say which replica runs it, or what its last run was", {
      job: key,
      err: reason(err),
    });
    return false;
  }
}

/** One run: check, decide, send, remember. Never throws; a problem is logged. */
export async function runJob(
  bot: BotConfig,
  job: CompiledJob,
  deps: JobDeps,
  clock: Clock = systemClock,
): Promise<"sent" | "quiet" | "failed"> {
  const key = jobKey(bot.jid, job.name);
  const last = deps.last.get(key) ?? deps.last.get(jidJobKey(bot.jid, job.name));
  let http: HttpAnswer | undefined;
  let error: string | undefined;
  try {
    if (job.http)
      http = await callHttp(deps.fetch, renderRequest(job.http, { last: last ?? {} }), (outcome, s) =>
        deps.metrics?.botHttpCall(bot.jid, outcome, s),
      );
  } catch (err) {
    error = reason(err);
  }
  try {
    return await conclude(job, { http, error, last: last ?? {} }, deps, key, { status: http?.status, error, at: clock.now() });
  } catch (err) {
    deps.log.warn("bot job failed", { bot: bot.jid, job: job.name, err: reason(err) });
    return "failed";
  }
}

/**
 * What a scheduled run and a watched message (watch.ts) share once the scope is known: `when:`,
 * `on_change:` against the last value kept under `key`, the `send:` messages delivered, then the
 * run remembered. Throws what a template or the delivery throws.
 */
export async function conclude(
  job: CompiledJob,
  scope: Record<string, unknown> & { last: Partial<LastRun> },
  deps: Pick<JobDeps, "deliver" | "last">,
  key: string,
  run: Omit<LastRun, "value" | "held">,
  /** A watched topic's flood repeating itself writes nothing: only a run that sent or changed value or held is kept. */
  keep: "every run" | "changes" = "every run",
): Promise<"sent" | "quiet"> {
  const value = job.onChange?.render(scope);
  const held = job.when ? job.when.render(scope) === "true" : true;
  const changed = job.onChange === undefined || value !== scope.last.value;
  const stanzas = held && changed ? job.send.map((s) => s.render(scope)) : [];
  // Remembered only once the outbox has them: a crash before that repeats, never loses, an alert.
  for (const stanza of stanzas) await deps.deliver(stanza);
  const same = !stanzas.length && value === scope.last.value && held === scope.last.held;
  if (keep === "every run" || !same) deps.last.set(key, { ...run, value, held });
  return stanzas.length ? "sent" : "quiet";
}
