/**
 * Prometheus metrics (text exposition format 0.0.4) through prom-client, which runs unchanged in
 * the compiled binary. The engine records events through the named methods below; what is a
 * state rather than an event (outbox depth, link state, memory, event-loop lag) is read from
 * `sources` at scrape time, so nothing polls in the background.
 *
 * Labels are bounded: routes are labelled by their path pattern (`/msg/:to`), never the raw URL;
 * bots by their JID, commands by their usage and jobs by their name, all from routes.yaml, never
 * by a sender or a body.
 */
// Each class from its own file: the package index loads much the gateway never uses (types/prom-client-lib.d.ts).
import Counter from "prom-client/lib/counter";
import Gauge from "prom-client/lib/gauge";
import Histogram from "prom-client/lib/histogram";
import Registry from "prom-client/lib/registry";
import type { PluginMetrics } from "./plugin-api/index.ts";
import { topicMetrics, type TopicStats } from "./topics/metrics.ts";
import { mqttMetrics, type MqttStats } from "./mqtt/metrics.ts";

/** What the scrape reads from the running gateway. */
export interface MetricSources {
  outbox(): { depth: number; oldestQueuedAt: number | undefined | Promise<number | undefined> };
  link(): { state: string; onlineSince: Date | undefined };
}

export interface Metrics {
  http(route: string, method: string, status: number, seconds: number): void;
  /** +1 when a request arrives, -1 when it is answered. */
  inFlight(delta: 1 | -1): void;
  stanza(direction: "sent" | "received", kind: string): void;
  delivery(outcome: "sent" | "queued"): void;
  linkOnline(): void;
  confirmation(seconds: number): void;
  authFailure(scheme: string, code: string): void;
  throttled(scheme: string): void;
  reload(outcome: "applied" | "rejected"): void;
  /** Where /metrics reads the topics' subscribers from (the gateway's one Topics). */
  topics(source: TopicStats): void;
  /** Where /metrics reads the MQTT broker connection's figures from (the gateway's one connection). */
  mqtt(source: () => MqttStats): void;
  /** A `correct:` route's thread could not be read or saved (store/threads.ts). */
  correctStoreFailure(route: string): void;
  /** A bot's chat or XEP-0050 command answered; `command` is its usage, or "(none)" when none matched. */
  botCommand(bot: string, command: string, outcome: BotCommandOutcome): void;
  /** A bot's HTTP call (command or job check) ended. */
  botHttpCall(bot: string, outcome: BotHttpOutcome, seconds: number): void;
  /** A bot's scheduled job fired. */
  botJob(bot: string, job: string, outcome: BotJobOutcome): void;
  /** The facility a plugin is given: its metrics are named `stanzagate_<plugin>_<name>`. */
  forPlugin(plugin: string): PluginMetrics;
  /** Reads the sources and renders every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

/**
 * What became of a bot command: `ok`, `http_error` (its HTTP call failed: the error: reply went),
 * `mqtt_error` (its MQTT publish failed), `reply_error` (a template failed), `crashed`, or refused before running: `forbidden` (not in
 * allow:), `too_long`, `rate_limited`, `busy` (max_concurrent reached); no command matched:
 * `help` or `unknown`.
 */
export type BotCommandOutcome =
  | "ok"
  | "http_error"
  | "mqtt_error"
  | "reply_error"
  | "crashed"
  | "forbidden"
  | "too_long"
  | "rate_limited"
  | "busy"
  | "help"
  | "unknown";
/** How a bot's HTTP call ended: a 2xx, another status, no answer in time, no connection, too large. */
export type BotHttpOutcome = "ok" | "status" | "timeout" | "unreachable" | "too_large";
/** A job run sent something, found nothing to send, failed, or was skipped because the last run was still going. */
export type BotJobOutcome = "sent" | "quiet" | "failed" | "skipped_running";
/** The part of Metrics a bot records through. */
export type BotMetrics = Pick<Metrics, "botCommand" | "botHttpCall" | "botJob">;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LINK_STATES = ["connecting", "online", "offline", "stopped"] as const;
const STANZA_KINDS = new Set(["message", "presence", "iq"]);

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  const reg = { registers: [registry] };
  const requests = new Counter({
    name: "stanzagate_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status.",
    labelNames: ["route", "method", "status"],
    ...reg,
  });
  const latency = new Histogram({
    name: "stanzagate_http_request_duration_seconds",
    help: "Time to answer an HTTP request.",
    labelNames: ["route", "method"],
    buckets: LATENCY_BUCKETS,
    ...reg,
  });
  const inFlight = new Gauge({
    name: "stanzagate_http_requests_in_flight",
    help: "HTTP requests being handled now (across configurations during a reload).",
    ...reg,
  });
  const stanzas = new Counter({
    name: "stanzagate_stanzas_total",
    help: "Stanzas sent to or received from the XMPP server, by kind.",
    labelNames: ["direction", "kind"],
    ...reg,
  });
  const deliveries = new Counter({
    name: "stanzagate_deliveries_total",
    help: "Stanzas handed to delivery: sent (HTTP 201) or queued in the outbox (HTTP 202).",
    labelNames: ["outcome"],
    ...reg,
  });
  const connects = new Counter({
    name: "stanzagate_xmpp_connects_total",
    help: "Times the XMPP link came online (the first connect and every reconnect).",
    ...reg,
  });
  const confirm = new Histogram({
    name: "stanzagate_confirmation_seconds",
    help: "Round trip of the XEP-0199 ping that confirms delivery.",
    buckets: LATENCY_BUCKETS,
    ...reg,
  });
  const authFailures = new Counter({
    name: "stanzagate_auth_failures_total",
    help: "Requests refused by an auth scheme, by scheme and error code.",
    labelNames: ["scheme", "code"],
    ...reg,
  });
  const throttled = new Counter({
    name: "stanzagate_auth_throttled_total",
    help: "Requests refused with 429 because their address failed too often.",
    labelNames: ["scheme"],
    ...reg,
  });
  const reloads = new Counter({
    name: "stanzagate_reloads_total",
    help: "Configuration reloads (SIGHUP), applied or rejected.",
    labelNames: ["outcome"],
    ...reg,
  });
  const correctFailures = new Counter({
    name: "stanzagate_correct_store_failures_total",
    help: "correct: threads the store could not read or save (the message itself was delivered or refused, never lost), by route.",
    labelNames: ["route"],
    ...reg,
  });
  const bots = botMetrics(registry);
  scrapeGauges(registry, sources);
  const topics = topicMetrics(registry);
  const mqtt = mqttMetrics(registry);
  const plugins = pluginFacility(registry);
  return {
    http(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route, method }, seconds);
    },
    inFlight: (delta) => inFlight.inc(delta),
    stanza: (direction, kind) => stanzas.inc({ direction, kind: STANZA_KINDS.has(kind) ? kind : "other" }),
    delivery: (outcome) => deliveries.inc({ outcome }),
    linkOnline: () => connects.inc(),
    confirmation: (seconds) => confirm.observe(seconds),
    authFailure: (scheme, code) => authFailures.inc({ scheme, code }),
    throttled: (scheme) => throttled.inc({ scheme }),
    reload: (outcome) => reloads.inc({ outcome }),
    correctStoreFailure: (route) => correctFailures.inc({ route }),
    topics,
    mqtt,
    ...bots,
    forPlugin: plugins,
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

function botMetrics(registry: Registry): BotMetrics {
  const reg = { registers: [registry] };
  const commands = new Counter({
    name: "stanzagate_bot_commands_total",
    help: "Bot commands (chat and XEP-0050), by bot, command usage and outcome.",
    labelNames: ["bot", "command", "outcome"],
    ...reg,
  });
  const calls = new Counter({
    name: "stanzagate_bot_http_calls_total",
    help: "HTTP calls made by bots (commands and job checks), by bot and outcome.",
    labelNames: ["bot", "outcome"],
    ...reg,
  });
  const callTime = new Histogram({
    name: "stanzagate_bot_http_call_duration_seconds",
    help: "Time of a bot's HTTP call, answer read included.",
    labelNames: ["bot"],
    buckets: LATENCY_BUCKETS,
    ...reg,
  });
  const jobs = new Counter({
    name: "stanzagate_bot_job_runs_total",
    help: "Scheduled bot job runs, by bot, job and outcome.",
    labelNames: ["bot", "job", "outcome"],
    ...reg,
  });
  return {
    botCommand: (bot, command, outcome) => commands.inc({ bot, command, outcome }),
    botHttpCall(bot, outcome, seconds) {
      calls.inc({ bot, outcome });
      callTime.observe({ bot }, seconds);
    },
    botJob: (bot, job, outcome) => jobs.inc({ bot, job, outcome }),
  };
}

/** Gauges whose value is read when scraped. */
function scrapeGauges(registry: Registry, sources: MetricSources): void {
  const reg = { registers: [registry] };
  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({
      name,
      help,
      ...reg,
      async collect() {
        this.set(await read());
      },
    });
  gauge("stanzagate_outbox_depth", "Stanzas waiting in the outbox.", () => sources.outbox().depth);
  gauge("stanzagate_outbox_oldest_age_seconds", "Age of the oldest stanza in the outbox (0 when empty).", async () => {
    const at = await sources.outbox().oldestQueuedAt;
    return at === undefined ? 0 : Math.max(0, (Date.now() - at) / 1000);
  });
  gauge(
    "stanzagate_xmpp_last_connect_timestamp_seconds",
    "When the XMPP link last came online (0 while it is not).",
    () => (sources.link().onlineSince?.getTime() ?? 0) / 1000,
  );
  new Gauge({
    name: "stanzagate_xmpp_link_state",
    help: "1 for the XMPP link's current state, 0 for the others.",
    labelNames: ["state"],
    ...reg,
    collect() {
      const now = sources.link().state;
      for (const state of LINK_STATES) this.set({ state }, state === now ? 1 : 0);
    },
  });
  gauge("stanzagate_process_resident_memory_bytes", "Resident set size.", () => process.memoryUsage().rss);
  gauge("stanzagate_process_heap_used_bytes", "JavaScript heap in use.", () => process.memoryUsage().heapUsed);
  gauge("stanzagate_event_loop_lag_seconds", "How late a zero-delay timer set at scrape time fires.", eventLoopLag);
}

function eventLoopLag(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => setTimeout(() => resolve((performance.now() - start) / 1000), 0));
}

/**
 * Plugins name metrics without a prefix; they live as `stanzagate_<plugin>_<name>`. Asking twice
 * for one name returns the same metric, so plugins restarted by a reload keep counting.
 */
function pluginFacility(registry: Registry): (plugin: string) => PluginMetrics {
  const made = new Map<string, Counter | Histogram>();
  const once = <M extends Counter | Histogram>(name: string, make: () => M): M => {
    const found = made.get(name);
    if (found) return found as M;
    const metric = make();
    made.set(name, metric);
    return metric;
  };
  return (plugin) => {
    const full = (name: string) => `stanzagate_${plugin}_${name}`;
    return {
      counter: ({ name, help, labels = [] }) => {
        const c = once(full(name), () => new Counter({ name: full(name), help, labelNames: labels, registers: [registry] }));
        return { inc: (values = {}, by = 1) => c.inc(values, by) };
      },
      histogram: ({ name, help, labels = [], buckets = LATENCY_BUCKETS }) => {
        const h = once(full(name), () => new Histogram({ name: full(name), help, labelNames: labels, buckets, registers: [registry] }));
        return { observe: (values, value) => h.observe(values, value) };
      },
    };
  };
}
