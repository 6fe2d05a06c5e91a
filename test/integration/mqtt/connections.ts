// The broker connection alone (src/mqtt/connection.ts) on the test's mosquitto: connections made
// with the test's settings, logs kept, and stopped after each test.
import { afterEach } from "bun:test";
import { createLogger } from "../../../src/log.ts";
import { MqttConnection } from "../../../src/mqtt/connection.ts";
import { mqttDefaults, type MqttConfig } from "../../../src/mqtt/schema.ts";
import type { MqttMessage } from "../../../src/mqtt/types.ts";
import type { Keyed } from "../../../src/plugin-api/store.ts";
import { waitFor } from "../../../testbed/timeouts.ts";

export const USERS = { gateway: "gw-s3cret", sensor: "sensor-pw" };

export function memoryKeyed<V>(): Keyed<V> & { map: Map<string, V> } {
  const map = new Map<string, V>();
  return { map, get: (k) => map.get(k), set: (k, v) => void map.set(k, v), delete: (k) => void map.delete(k) };
}

/** Registers the hook that stops them; returns what makes one (as user `gateway`). */
export function useConnections() {
  const open: MqttConnection[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.stop();
  });
  return (settings: Partial<MqttConfig> & { url: string }, filters = memoryKeyed<Record<string, number>>()) => {
    const raw = {
      clean: false,
      session_expiry_s: 600,
      keepalive_s: 30,
      max_payload_bytes: 1024,
      username: "gateway",
      password: USERS.gateway,
      ...settings,
    };
    const config = mqttDefaults({ ...raw, reconnect: { initial_ms: 50, max_ms: 200 } }, "gw.localhost");
    const logs: string[] = [];
    const c = new MqttConnection(config, { log: createLogger({ level: "debug", write: (l) => void logs.push(l) }), filters });
    open.push(c);
    return { c, logs, filters };
  };
}

export const online = (c: MqttConnection) =>
  waitFor(
    () => c.status().state === "online",
    10_000,
    "the connection to come online",
    () => JSON.stringify(c.status()),
  );

export const text = (m: MqttMessage) => new TextDecoder().decode(m.payload);
