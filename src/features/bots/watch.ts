/**
 * Bot jobs that watch a topic (`mqtt: { topic, qos }` instead of a schedule; issue 23): each
 * message the broker delivers on the filter runs the job, its `when:`, `on_change:` and `send:`
 * reading `topic`, `wildcards` (what `+` and `#` matched, in order), `body` (the payload: parsed
 * when it is JSON, else its text) and `retain`. `on_change:` compares per topic: one job over
 * `zigbee2mqtt/+` tells each sensor's changes apart. A message that sends nothing and changes
 * neither value nor condition writes nothing to the store: a sensor repeating itself costs no write.
 * What is kept per topic is bounded per job (MAX_WATCHED_TOPICS, the least recently written
 * forgotten first, counted): a publisher inventing topics under `#` cannot grow the store forever.
 *
 * A message's `handle` resolves once its messages are delivered or queued (the broker gets its
 * PUBACK only then, src/mqtt/types.ts); a payload or template that can never make a message is
 * logged, counted and acknowledged, while a full outbox or a failing store is thrown back for the
 * connection to retry (the message is not lost).
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import type { Keyed } from "../../plugin-api/store.ts";
import type { PluginMetrics } from "../../plugin-api/index.ts";
import { boundedKeyed } from "../../store/bounded-keyed.ts";
import type { HeldKeyed } from "../../store/plugin-store.ts";
import { parsePayloadJson } from "../../mqtt/payload-json.ts";
import { matchTopic } from "../../mqtt/topic.ts";
import type { Mqtt, MqttMessage } from "../../mqtt/types.ts";
import type { BotConfig, CompiledJob } from "./compiled.ts";
import { conclude, type JobDeps, type LastRun } from "./jobs.ts";
import { reason } from "./commands.ts";
import { jidJobKey, jobKey } from "./job-key.ts";

export interface WatchDeps extends Pick<JobDeps, "deliver" | "log" | "metrics"> {
  mqtt: Pick<Mqtt, "subscribe">;
  /** A job's last runs, by topic (`watchedRuns`). */
  last(bot: BotConfig, job: CompiledJob): Keyed<LastRun>;
  /** With mqtt.share: a topic's last run as the store holds it now (the one before may have run on another replica). */
  fresh?(key: string): Promise<LastRun | undefined>;
  now?: () => number;
}

/** Most topics a watching job keeps a last run for (docs/bots.md). */
const MAX_WATCHED_TOPICS = 10_000;

/**
 * A watching job's last runs in the bots' `jobs` collection, keyed `<jobKey> <topic>` (the same
 * on every replica, job-key.ts: with mqtt.share one topic's messages reach different replicas),
 * bounded.
 */
export function watchedRuns(jobs: HeldKeyed<LastRun>, pluginMetrics: (plugin: string) => PluginMetrics): WatchDeps["last"] {
  const forgotten = pluginMetrics("mqtt").counter({
    name: "watch_forgotten_total",
    labels: ["bot", "job"],
    help: `Topics whose last run a bot job watching MQTT forgot, the least recently written first, to keep at most ${MAX_WATCHED_TOPICS} per job.`,
  });
  return (bot, job) =>
    boundedKeyed(jobs, {
      prefix: `${jobKey(bot.jid, job.name)} `,
      max: MAX_WATCHED_TOPICS,
      forgotten: (keys) => forgotten.inc({ bot: bot.jid, job: job.name }, keys),
    });
}

/** Codes a retry can cure: the message is handed back to the connection, unacknowledged. */
const TRANSIENT = new Set(["OUTBOX_FULL", "STORE_UNAVAILABLE"]);

/** Subscribes every watching job of every bot; returns what closes the subscriptions. */
export function startWatches(bots: readonly BotConfig[], deps: WatchDeps): () => void {
  const subscriptions = bots.flatMap((bot) =>
    bot.jobs.flatMap(({ watch, ...job }) => (watch ? [subscribe(bot, { ...job, watch }, deps)] : [])),
  );
  return () => {
    for (const s of subscriptions) s.close();
  };
}

type WatchingJob = CompiledJob & { watch: NonNullable<CompiledJob["watch"]> };

function subscribe(bot: BotConfig, job: WatchingJob, deps: WatchDeps): { close(): void } {
  const runs = { ...deps, last: deps.last(bot, job) };
  return deps.mqtt.subscribe(job.watch.filter, { qos: job.watch.qos, retained: false }, (m) => watched(bot, job, m, runs));
}

type JobRunDeps = Omit<WatchDeps, "last"> & Pick<JobDeps, "last">;

/** One message: the job's run. Never throws but what the connection should retry. */
async function watched(bot: BotConfig, job: WatchingJob, message: MqttMessage, deps: JobRunDeps): Promise<void> {
  const count = (outcome: "sent" | "quiet" | "failed") => deps.metrics?.botJob(bot.jid, job.name, outcome);
  const key = `${jobKey(bot.jid, job.name)} ${message.topic}`;
  try {
    const scope = {
      topic: message.topic,
      wildcards: matchTopic(job.watch.filter, message.topic) ?? [],
      body: bodyOf(message.payload),
      retain: message.retain,
      // The key before jobKey, read once after an upgrade so on_change does not repeat.
      last:
        (deps.fresh ? await deps.fresh(key) : deps.last.get(key)) ??
        deps.last.get(`${jidJobKey(bot.jid, job.name)} ${message.topic}`) ??
        {},
    };
    count(await conclude(job, scope, deps, key, { at: (deps.now ?? Date.now)() }, "changes"));
  } catch (err) {
    if (err instanceof GatewayError && TRANSIENT.has(err.code)) throw err;
    count("failed");
    deps.log.warn("bot job failed on an MQTT message", { bot: bot.jid, job: job.name, topic: message.topic, err: reason(err) });
  }
}

/** The payload as templates read it: JSON when it parses, else the UTF-8 text; other bytes are refused. */
function bodyOf(payload: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
  } catch {
    throw new Error(`the payload is not UTF-8 text (${payload.byteLength} bytes)`);
  }
  if (!/^\s*[[{"0-9tfn-]/.test(text)) return text;
  try {
    return parsePayloadJson(text);
  } catch {
    return text;
  }
}
