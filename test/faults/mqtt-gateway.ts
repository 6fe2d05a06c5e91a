// The gateway of the MQTT fault tests (issue 23 §4-§6): its routes.yaml, and what the tests read
// from outside the process: /health's mqtt part, /metrics series, resident memory.
import { readFileSync } from "node:fs";
import { spawnGateway, type GatewayProcess } from "../helpers/gateway-process.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import type { BrokerAddress } from "./mqtt-publish.ts";

export const TOKEN = "faults-mqtt-token-0123456789";
/** The gateway refuses larger payloads (issue 23 §5); the hostile test sends one byte more. */
export const MAX_PAYLOAD_BYTES = 4_096;
/** A small outbox, so that a server outage under load fills it (OUTBOX_FULL: held back at the broker). */
export const OUTBOX_MAX = 100;
const BOB = `<message to="bob@localhost" type="chat"><body>`;

/** Every route the MQTT fault tests use, on `broker` as user `gateway`. */
export function mqttRoutes(broker: BrokerAddress): string {
  return `
mqtt:
  url: ${broker.url}
  username: ${broker.username}
  password: "${broker.password}"
  keepalive_s: 5
  reconnect: { initial_ms: 50, max_ms: 500 }
  max_payload_bytes: ${MAX_PAYLOAD_BYTES}
outbox: { max_stanzas: ${OUTBOX_MAX} }
auth:
  app: { kind: bearer, tokens: [{ name: app, token: "${TOKEN}", jid: alice@localhost }] }
routes:
  - path: /say
    auth: app
    body: { text: string }
    send: '${BOB}{{ body.text }}</body></message>'
  - mqtt: { topic: "faults/load/+", qos: 1 }
    send: '${BOB}{{ body }}</body></message>'
  - mqtt: { topic: "faults/flood/+", qos: 1, min_interval: 1h }
    send: '${BOB}flood {{ wildcards[0] }} first={{ body }}</body></message>'
  - mqtt: { topic: "faults/deep/#", qos: 1 }
    send: '${BOB}deep levels={{ topic | split: "/" | size }}</body></message>'
  - mqtt: { topic: "faults/hostile", qos: 1 }
    send: '${BOB}hostile {{ body }}</body></message>'
`;
}

export async function mqttGateway(prosody: XmppServer, broker: BrokerAddress, dir?: string): Promise<GatewayProcess> {
  const gw = await spawnGateway(prosody, mqttRoutes(broker), dir);
  await untilMqttOnline(gw);
  return gw;
}

export interface MqttHealth {
  state?: string;
  last_error?: string;
}

/** /health's `mqtt` part (issue 23 §1: "/health and /metrics show it"). */
export async function mqttHealth(gw: GatewayProcess): Promise<MqttHealth> {
  const res = await fetch(`${gw.url}/health`);
  const body = (await res.json()) as { mqtt?: MqttHealth };
  return body.mqtt ?? {};
}

/** Polls /health (bounded) until the XMPP link answers 200 and the broker connection is online. */
export async function untilMqttOnline(gw: GatewayProcess): Promise<void> {
  const online = async () => (await gw.health()).status === 200 && (await mqttHealth(gw)).state === "online";
  await waitFor(online, 20_000, "the gateway's link and broker connection to come up", () => gw.stderr().slice(-2000), 50);
}

/**
 * The sum of every /metrics series whose line (name and labels) matches `pattern`: the tests
 * name what a series counts (`^stanzagate_mqtt_.*refused`), not the exact labels mqtt-core picked.
 */
export async function metricSum(gw: GatewayProcess, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => !l.startsWith("#") && pattern.test(l.slice(0, l.lastIndexOf(" "))))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

/** Resident memory now and at its peak (VmRSS, VmHWM), MB, from /proc (Linux). */
export function rssMb(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const mb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { now: mb("VmRSS"), peak: mb("VmHWM") };
}
