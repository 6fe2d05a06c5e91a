// The fault suite's MQTT publisher: Debian's `mosquitto_pub`, the real client the issue names
// (issue 23 §6). Which messages the broker took is read from its debug output: with `-d` it prints
// one "received PUBACK (Mid: n" per QoS 1 message the broker acknowledged (MQTT 5 §3.4), and with
// `-l` message n is line n, sent in order with packet identifiers 1, 2, ... (a fresh client).
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface BrokerAddress {
  /** mqtt://127.0.0.1:<port> */
  url: string;
  username?: string;
  password?: string;
}

function clientArgs(broker: BrokerAddress, topic: string, qos: 0 | 1): string[] {
  const { hostname, port } = new URL(broker.url);
  const auth = broker.username === undefined ? [] : ["-u", broker.username, "-P", broker.password ?? ""];
  return ["mosquitto_pub", "-h", hostname, "-p", port, ...auth, "-t", topic, "-q", String(qos)];
}

async function run(cmd: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn(cmd, { stdin: stdin === undefined ? "ignore" : new Blob([stdin]), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

/**
 * Publishes each line as one message at QoS 1 and returns the 0-based indexes of the lines the
 * broker acknowledged: those, and only those, were sent (an unacknowledged one may be lost by the
 * broker itself, not the gateway).
 */
export async function publishLines(broker: BrokerAddress, topic: string, lines: readonly string[]): Promise<Set<number>> {
  const { out, err } = await run([...clientArgs(broker, topic, 1), "-d", "-l"], `${lines.join("\n")}\n`);
  const acked = new Set<number>();
  for (const m of out.matchAll(/received PUBACK \(Mid: (\d+), RC:0\)/g)) acked.add(Number(m[1]) - 1);
  if (acked.size === 0 && lines.length > 0) throw new Error(`mosquitto_pub took nothing: ${err}${out.slice(-500)}`);
  return acked;
}

/**
 * Publishes `count` lines at QoS 1 as fast as the broker acknowledges them (20 in flight, mosquitto_pub's
 * window); returns messages per second. QoS 1, not 0: a broker may drop QoS 0 messages for a slow
 * subscriber (at most once, MQTT 5 §4.3.1), and the flood's count must be exact.
 */
export async function flood(broker: BrokerAddress, topic: string, count: number, line: (i: number) => string): Promise<number> {
  const text = `${Array.from({ length: count }, (_, i) => line(i)).join("\n")}\n`;
  const t0 = performance.now();
  const { code, err } = await run([...clientArgs(broker, topic, 1), "-l"], text);
  if (code !== 0) throw new Error(`mosquitto_pub -l exited ${code}: ${err}`);
  return Math.round(count / ((performance.now() - t0) / 1000));
}

/** Publishes one message whose payload is exactly `bytes` (binary allowed: `-f` sends a file as is), QoS 1. */
export async function publishBytes(broker: BrokerAddress, topic: string, bytes: Uint8Array): Promise<void> {
  const file = join(tmpdir(), `sg-mqtt-payload-${process.pid}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, bytes);
  const { code, err } = await run([...clientArgs(broker, topic, 1), "-f", file]);
  if (code !== 0) throw new Error(`mosquitto_pub -f exited ${code}: ${err}`);
}

/** One text message at QoS 1, acknowledged by the broker when this resolves. */
export const publishText = (broker: BrokerAddress, topic: string, text: string): Promise<void> =>
  publishBytes(broker, topic, new TextEncoder().encode(text));
