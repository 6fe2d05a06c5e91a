/**
 * Bot jobs that watch a topic (`mqtt: { topic, qos }` instead of a schedule; issue 23): each
 * message the broker delivers on the filter runs the job, its `when:`, `on_change:` and `send:`
 * reading `topic`, `wildcards` (what `+` and `#` matched, in order), `body` (the payload: parsed
 * when it is JSON, else its text) and `retain`. `on_change:` compares per topic: one job over
 * `zigbee2mqtt/+` tells each sensor's changes apart. A message that sends nothing and changes
 * neither value nor condition writes nothing to the store: a sensor repeating itself costs no write.
 *
 * A message's `handle` resolves once its messages are delivered or queued (the broker gets its
 * PUBACK only then, src/mqtt/types.ts); a payload or template that can never make a message is
 * logged, counted and acknowledged, while a full outbox or a failing store is thrown back for the
 * connection to retry (the message is not lost).
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { parsePayloadJson } from "../../mqtt/payload-json.ts";
import { matchTopic } from "../../mqtt/topic.ts";
import type { Mqtt, MqttMessage } from "../../mqtt/types.ts";
import type { BotConfig, CompiledJob } from "./compiled.ts";
import { conclude, type JobDeps } from "./jobs.ts";
import { reason } from "./commands.ts";

export interface WatchDeps extends Pick<JobDeps, "deliver" | "log" | "last" | "metrics"> {
  mqtt: Pick<Mqtt, "subscribe">;
  now?: () => number;
}

/** Codes a retry can cure: the message is handed back to the connection, unacknowledged. */
const TRANSIENT = new Set(["OUTBOX_FULL", "STORE_UNAVAILABLE"]);

/** Subscribes every watching job of every bot; returns what closes the subscriptions. */
export function startWatches(bots: readonly BotConfig[], deps: WatchDeps): () => void {
  const subscriptions = bots.flatMap((bot) =>
    bot.jobs.flatMap(({ watch, ...job }) =>
      watch
        ? [deps.mqtt.subscribe(watch.filter, { qos: watch.qos, retained: false }, (m) => watched(bot, { ...job, watch }, m, deps))]
        : [],
    ),
  );
  return () => {
    for (const s of subscriptions) s.close();
  };
}

type WatchingJob = CompiledJob & { watch: NonNullable<CompiledJob["watch"]> };

/** One message: the job's run. Never throws but what the connection should retry. */
async function watched(bot: BotConfig, job: WatchingJob, message: MqttMessage, deps: WatchDeps): Promise<void> {
  const count = (outcome: "sent" | "quiet" | "failed") => deps.metrics?.botJob(bot.jid, job.name, outcome);
  const key = `${bot.jid} ${job.name} ${message.topic}`;
  try {
    const scope = {
      topic: message.topic,
      wildcards: matchTopic(job.watch.filter, message.topic) ?? [],
      body: bodyOf(message.payload),
      retain: message.retain,
      last: deps.last.get(key) ?? {},
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
