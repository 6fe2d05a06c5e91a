/**
 * `stanzagate render --route mqtt:TOPIC` for bots: what each job watching the topic would send
 * for the message, through the same code as `serve` (watch.ts) with a delivery that only collects
 * and no earlier run (so `on_change:` never holds it back). main.ts hands it to the routes'
 * render (render-mqtt.ts), which prints the routes' first.
 */
import type { Element } from "ltx";
import { createLogger } from "../../log.ts";
import { matchTopic } from "../../mqtt/topic.ts";
import type { MqttMessage } from "../../mqtt/types.ts";
import type { BotJobOutcome } from "../../metrics.ts";
import type { RenderIo, TopicWatchers } from "../../mqtt/render.ts";
import type { BotConfig } from "./compiled.ts";
import { startWatches } from "./watch.ts";

export function jobWatchers(bots: readonly BotConfig[]): TopicWatchers {
  const watching = bots.flatMap((bot) => bot.jobs.flatMap((job) => (job.watch ? [{ bot, job, filter: job.watch.filter }] : [])));
  return {
    filters: watching.map((w) => w.filter),
    async render(topic, payload, io) {
      const taking = watching.filter((w) => matchTopic(w.filter, topic) !== undefined);
      let failed = false;
      for (const { bot, job } of taking) {
        const outcome = await renderJob({ ...bot, jobs: [job] }, { topic, payload, qos: 1, retain: false, properties: {} }, io);
        failed = failed || outcome === "failed";
      }
      return { matched: taking.length, failed };
    },
  };
}

async function renderJob(bot: BotConfig, message: MqttMessage, io: RenderIo): Promise<BotJobOutcome | undefined> {
  const job = bot.jobs[0];
  const who = `job ${job?.name} (${bot.jid})`;
  const sent: Element[] = [];
  const handlers: Array<(m: MqttMessage) => Promise<void>> = [];
  let outcome: BotJobOutcome | undefined;
  const stop = startWatches([bot], {
    mqtt: { subscribe: (_filter, _options, handle) => (handlers.push(handle), { close: () => undefined }) },
    deliver: async (stanza) => void sent.push(stanza),
    log: createLogger({ level: "warn", write: (line) => io.err(`${who}: ${said(line)}`) }),
    last: () => ({ get: () => undefined, set: () => undefined, delete: () => undefined }),
    metrics: { botJob: (_bot, _job, o) => void (outcome = o), botCommand: () => undefined, botHttpCall: () => undefined },
  });
  try {
    for (const handle of handlers) await handle(message);
  } finally {
    stop();
  }
  for (const stanza of sent) io.out(io.pretty(stanza));
  if (outcome === "quiet") io.err(`${who}: nothing would be sent (when: is false)`);
  return outcome;
}

/** A failure's reason, as the log line gives it. */
function said(line: string): string {
  const { err, msg } = JSON.parse(line) as { err?: unknown; msg?: unknown };
  return String(err ?? msg);
}
