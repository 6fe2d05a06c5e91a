// What ntfy subscribers cost (issue 22, "Measured at the end"), on the built gateway:
//   - RSS with 0 and with SUBS (1,000) idle /json streams, and so the memory of one idle stream;
//   - publish-to-subscriber latency p50/p99 with SUBS streams, MESSAGES (1,000) published one after
//     the other (each body carries its publish time; the swarm reads it on arrival);
//   - the same with one more subscriber that never reads (it also hears two 4 KB messages after
//     each, on a topic of its own): what it costs the others (latency, publish rate), and that the
//     gateway dropped it (/metrics dropped). Publish rates count the "bench" messages only.
//   [SUBS=1000] [MESSAGES=1000] bun bench/probes/subscribers.ts      (after make build; BENCH_BIN= another build)
import { startProsody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import { swarm, swarmMessage, type SwarmReport } from "../../testbed/ntfy-swarm.ts";
import { stalledSubscriber } from "../../testbed/stalled-subscriber.ts";
import { type BenchGateway, startBenchGateway } from "../lib/gateway.ts";
import { memoryMb } from "../lib/process.ts";

const SUBS = Number(process.env.SUBS ?? 1_000);
const MESSAGES = Number(process.env.MESSAGES ?? 1_000);
const TOKEN = "tk_bench0123456789abcdefghijklmno";
const HEADERS = { Authorization: `Bearer ${TOKEN}` };
const ROUTES = `auth:
  ntfy: { kind: bearer, tokens: [{ name: reader, token: "${TOKEN}", jid: alice@localhost }] }
routes:
  - preset: ntfy
    auth: ntfy
    topics: { bench: bob@localhost, bulk: bob@localhost }
    subscribe: {}
`;
/** Lets the heap settle before RSS is read (a probe may wait; tests may not). */
const SETTLE_MS = 2_000;

async function publishOne(gw: BenchGateway, topic: string, body: string): Promise<void> {
  const res = await fetch(`${gw.url}/${topic}`, { method: "POST", headers: HEADERS, body });
  if (res.status !== 200) throw new Error(`publish to ${topic}: ${res.status} ${await res.text()}`);
}

async function publishAll(gw: BenchGateway): Promise<number> {
  const t0 = performance.now();
  for (let n = 1; n <= MESSAGES; n++) {
    await publishOne(gw, "bench", swarmMessage(n));
    // What only the stalled subscriber hears (nobody in the first phase): 8 KB per message, so past
    // loopback's send buffer (~2.8 MB) the gateway's own buffer fills and it is dropped mid-run.
    for (const half of ["a", "b"]) await publishOne(gw, "bulk", half.repeat(4_000));
  }
  return Math.round(MESSAGES / ((performance.now() - t0) / 1000));
}

async function dropped(gw: BenchGateway): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => !l.startsWith("#") && /dropped/.test(l.split(/[{ ]/)[0] ?? ""))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

async function phase(gw: BenchGateway, stalled: boolean): Promise<SwarmReport & { publish_per_s: number; dropped: number }> {
  const slow = stalled ? await stalledSubscriber(gw.url, "/bench,bulk/json", HEADERS) : undefined;
  const live = await swarm({ url: `${gw.url}/bench/json`, headers: HEADERS, subscribers: SUBS, expect: MESSAGES });
  const publish_per_s = await publishAll(gw);
  const report = await live.report();
  const result = { ...report, publish_per_s, dropped: await dropped(gw) };
  await slow?.close();
  return result;
}

const prosody = await startProsody({ logLevel: "error", scramIterations: 10_000 });
try {
  const gw = await startBenchGateway(prosody, await freePort(), ROUTES);
  try {
    await Bun.sleep(SETTLE_MS);
    const idle0 = memoryMb(gw.proc.pid);
    const idle = await swarm({ url: `${gw.url}/bench/json`, headers: HEADERS, subscribers: SUBS, expect: 1 });
    await Bun.sleep(SETTLE_MS);
    const idleN = memoryMb(gw.proc.pid);
    await idle.report(true);
    const perStreamKb = Math.round(((idleN.rss_mb - idle0.rss_mb) * 1024) / SUBS);
    console.log(JSON.stringify({ measure: "idle", streams_0: idle0, [`streams_${SUBS}`]: idleN, kb_per_idle_stream: perStreamKb }));
    const plain = await phase(gw, false);
    console.log(JSON.stringify({ measure: "latency", messages: MESSAGES, ...plain }));
    const withStall = await phase(gw, true);
    console.log(JSON.stringify({ measure: "latency with one stalled subscriber", messages: MESSAGES, ...withStall }));
    console.log(JSON.stringify({ measure: "after", ...memoryMb(gw.proc.pid) }));
  } finally {
    await gw.stop();
  }
} finally {
  await prosody.stop();
}
