// The fault suite's sizes: fixed by default so a failure replays, overridable from the
// environment (docs/contributing.md, "Tests"). Counts, never timings, are what the suite asserts.

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${raw}: expected a positive integer`);
  return value;
}

export const SIZES = {
  /** Requests of the replicas-on-PostgreSQL test (issue 26 §4 asks 5,000: FAULTS_STORE_REPLICAS_LOAD=5000 by hand). */
  storeReplicas: intFromEnv("FAULTS_STORE_REPLICAS_LOAD", 600),
  /** Requests per kill/stop scenario. */
  load: intFromEnv("FAULTS_LOAD", 2_000),
  /** Requests in flight at once during a scenario. */
  concurrency: intFromEnv("FAULTS_CONCURRENCY", 16),
  /** fast-check seed for every fuzz property. */
  seed: intFromEnv("FAULTS_SEED", 20_251_010),
  /** fast-check runs per route kind. */
  runs: intFromEnv("FAULTS_RUNS", 200),
  /**
   * Live ntfy subscribers of one topic during the subscriber load (issue 22 §6 asks 1,000:
   * FAULTS_SUBSCRIBERS=1000 by hand). 500 in CI: the same paths (fan-out, the stalled reader
   * dropped, since=) at half the messages read, inside the tier's time budget.
   */
  subscribers: intFromEnv("FAULTS_SUBSCRIBERS", 500),
  /** Messages published to that topic meanwhile. */
  topicMessages: intFromEnv("FAULTS_TOPIC_MESSAGES", 5_000),
  /** QoS 1 messages published per MQTT kill/restart scenario (issue 23 §6). */
  mqttLoad: intFromEnv("FAULTS_MQTT_LOAD", 600),
  /** Messages of the MQTT flood, published as fast as the broker takes them (issue 23 §5: 10,000/s). */
  mqttFlood: intFromEnv("FAULTS_MQTT_FLOOD", 10_000),
  /** How far the gateway's peak RSS may rise above its RSS before the flood, MB. */
  mqttFloodRssMb: intFromEnv("FAULTS_MQTT_FLOOD_RSS_MB", 64),
} as const;
