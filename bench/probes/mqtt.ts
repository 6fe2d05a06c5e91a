// What MQTT in costs and carries (issue 23, "Measured at the end"), on the built gateway, a real
// mosquitto (testbed/mosquitto.ts) and Prosody:
//   - idle RSS of the same routes.yaml without and with the `mqtt:` section and one MQTT route
//     (mqtt.js is loaded only when the section is there);
//   - MQTT -> XMPP at a window of 1 and of WINDOW (32) QoS 1 messages in flight: messages per
//     second delivered to bob and latency p50/p99 (a line written to mosquitto_pub -l -> the
//     stanza at bob), N (5,000) messages each, counted lost and duplicated;
//   - a flood: N messages written to mosquitto_pub at once, first write -> last arrival;
//   - the gateway's CPU per message delivered in each (bench/lib/process.ts withCpu), and RSS after all that.
//   [N=5000] [WINDOW=32] bun bench/probes/mqtt.ts      (after make build; BENCH_BIN= another build)
import type { FileSink } from "bun";
import { startProsody } from "../../testbed/prosody.ts";
import { startMosquitto } from "../../testbed/mosquitto.ts";
import { freePort } from "../../testbed/ports.ts";
import { connectClient } from "../../testbed/xmpp-client.ts";
import { type BenchGateway, startBenchGateway } from "../lib/gateway.ts";
import { memoryMb, withCpu } from "../lib/process.ts";
import { type Arrivals, listen } from "../lib/receiver.ts";
import { summarize } from "../lib/stats.ts";

const N = Number(process.env.N ?? 5_000);
const WINDOW = Number(process.env.WINDOW ?? 32);
const USERS = { gateway: "bench-gateway-pw", sensor: "bench-sensor-pw" };
/** Lets the heap settle before RSS is read (a probe may wait; tests may not). */
const SETTLE_MS = 2_500;
const DEADLINE_MS = 120_000;

const routes = (url: string | undefined) => `${
  url === undefined
    ? ""
    : `mqtt:
  url: ${url}
  username: gateway
  password: "${USERS.gateway}"
`
}routes:
  - path: /say
    body: { text: string }
    send: <message to="bob@localhost" type="chat"><body>{{ body.text }}</body></message>
${url === undefined ? "" : '  - mqtt: { topic: "bench/+", qos: 1 }\n    send: <message to="bob@localhost" type="chat"><body>{{ body }}</body></message>\n'}`;

/** mosquitto_pub reading one message per line from a pipe, QoS 1, as user `sensor`. */
function publisher(url: string): { stdin: FileSink; close(): Promise<number> } {
  const { hostname, port } = new URL(url);
  const args = ["-h", hostname, "-p", port, "-u", "sensor", "-P", USERS.sensor, "-t", "bench/probe", "-q", "1", "-l"];
  const proc = Bun.spawn(["mosquitto_pub", ...args], { stdin: "pipe", stdout: "ignore", stderr: "inherit" });
  return {
    stdin: proc.stdin,
    async close() {
      await proc.stdin.end();
      return await proc.exited;
    },
  };
}

/** `count` messages "<run>:<seq>", at most `window` not yet at bob; latency = line written -> stanza at bob. */
async function windowed(url: string, arrivals: Arrivals, run: string, count: number, window: number) {
  const pub = publisher(url);
  const sentAt = new Map<number, number>();
  const t0 = performance.now();
  for (let seq = 0; seq < count; seq++) {
    while (seq - arrivals.at.size >= window) await arrivals.done(seq - window + 1, DEADLINE_MS);
    sentAt.set(seq, performance.now());
    pub.stdin.write(`${run}:${seq}\n`);
    pub.stdin.flush();
  }
  await arrivals.done(count, DEADLINE_MS);
  const elapsed = (performance.now() - t0) / 1000;
  await pub.close();
  const latency = [...arrivals.at].map(([seq, at]) => at - (sentAt.get(seq) ?? at));
  return { window, messages: count, msg_per_s: Math.round(arrivals.at.size / elapsed), ...summarize(latency), ...counts(arrivals, count) };
}

async function floodRun(url: string, arrivals: Arrivals, run: string, count: number) {
  const pub = publisher(url);
  const t0 = performance.now();
  pub.stdin.write(Array.from({ length: count }, (_, seq) => `${run}:${seq}\n`).join(""));
  pub.stdin.flush();
  await arrivals.done(count, DEADLINE_MS);
  const last = [...arrivals.at.values()].reduce((a, b) => Math.max(a, b), t0);
  await pub.close();
  return { messages: count, msg_per_s: Math.round(count / ((last - t0) / 1000)), ...counts(arrivals, count) };
}

const counts = (a: Arrivals, count: number) => ({ lost: count - a.at.size, duplicated: a.duplicates });

async function idleRss(
  prosody: Awaited<ReturnType<typeof startProsody>>,
  url: string | undefined,
): Promise<BenchGateway & { idle: ReturnType<typeof memoryMb> }> {
  const gw = await startBenchGateway(prosody, await freePort(), routes(url));
  await Bun.sleep(SETTLE_MS);
  return Object.assign(gw, { idle: memoryMb(gw.proc.pid) });
}

const [prosody, broker] = await Promise.all([startProsody({ logLevel: "error" }), startMosquitto({ users: USERS })]);
try {
  const off = await idleRss(prosody, undefined);
  await off.stop();
  const gw = await idleRss(prosody, broker.url);
  try {
    console.log(JSON.stringify({ measure: "idle memory", mqtt_off: off.idle, mqtt_on: gw.idle, startup_ms: gw.startup_ms }));
    const bob = await connectClient(prosody, "bob");
    for (const window of [1, WINDOW]) {
      const arrivals = listen(bob, `w${window}`);
      const run = () => windowed(broker.url, arrivals, `w${window}`, N, window);
      console.log(JSON.stringify({ measure: "mqtt -> xmpp", ...(await withCpu(gw.proc.pid, run, (r) => r.count)) }));
      arrivals.detach();
    }
    const arrivals = listen(bob, "flood");
    const flooded = await withCpu(
      gw.proc.pid,
      () => floodRun(broker.url, arrivals, "flood", N),
      (r) => r.messages - r.lost,
    );
    console.log(JSON.stringify({ measure: "mqtt -> xmpp flood", ...flooded }));
    console.log(JSON.stringify({ measure: "after", ...memoryMb(gw.proc.pid) }));
    await bob.stop();
  } finally {
    await gw.stop();
  }
} finally {
  await Promise.all([prosody.stop(), broker.stop()]);
}
