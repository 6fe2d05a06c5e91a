// The broker connection alone (src/mqtt/connection.ts) against a real mosquitto with a TLS
// listener for `localhost`, for the tests of test/integration/mqtt/: one broker per file,
// every connection a test opened stopped after it.
//
//   const bed = useMqttBroker("mqtt");
//   const { c, logs } = bed.connection({ url: bed.broker().url, client_id: "t-1" });
import { afterAll, afterEach, beforeAll } from "bun:test";
import { createLogger } from "../../src/log.ts";
import { MqttConnection } from "../../src/mqtt/connection.ts";
import { mqttDefaults, type MqttConfig } from "../../src/mqtt/schema.ts";
import type { MqttMessage } from "../../src/mqtt/types.ts";
import type { Keyed } from "../../src/plugin-api/store.ts";
import { startMosquitto, type TestMosquitto } from "../../testbed/mosquitto.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { makeTestCa } from "./test-ca.ts";

const MQTT_USERS = { gateway: "gw-s3cret", sensor: "sensor-pw" };

export function memoryKeyed<V>(): Keyed<V> & { map: Map<string, V> } {
  const map = new Map<string, V>();
  return { map, get: (k) => map.get(k), set: (k, v) => void map.set(k, v), delete: (k) => void map.delete(k) };
}

export interface ConnectionOptions {
  filters?: ReturnType<typeof memoryKeyed<Record<string, number>>>;
  reconnect?: { initial_ms: number; max_ms: number };
}

export function useMqttBroker(caName: string) {
  let broker: TestMosquitto | undefined;
  const open: MqttConnection[] = [];
  beforeAll(async () => {
    const ca = makeTestCa(caName);
    broker = await startMosquitto({ users: MQTT_USERS, tls: { caFile: ca.caFile, ...ca.issue(["localhost"]) } });
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.stop();
  });
  afterAll(() => broker?.stop());
  return {
    broker: () => broker as TestMosquitto,
    /** A connection logging in as `gateway`, not started; its log lines in `logs`. */
    connection(settings: Partial<MqttConfig> & { url: string }, options: ConnectionOptions = {}) {
      const filters = options.filters ?? memoryKeyed<Record<string, number>>();
      const raw = {
        clean: false,
        session_expiry_s: 600,
        keepalive_s: 30,
        max_payload_bytes: 1024,
        username: "gateway",
        password: MQTT_USERS.gateway,
        ...settings,
      };
      const config = mqttDefaults({ ...raw, reconnect: options.reconnect ?? { initial_ms: 50, max_ms: 200 } }, "gw.localhost");
      const logs: string[] = [];
      const c = new MqttConnection(config, { log: createLogger({ level: "debug", write: (l) => void logs.push(l) }), filters });
      open.push(c);
      return { c, logs, filters };
    },
  };
}

export const online = (c: MqttConnection) =>
  waitFor(
    () => c.status().state === "online",
    10_000,
    "the connection to come online",
    () => JSON.stringify(c.status()),
  );

/** A message's payload as text. */
export const text = (m: MqttMessage) => new TextDecoder().decode(m.payload);
