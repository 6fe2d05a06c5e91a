// Two builds of the gateway on one machine, alternated: post_msg at c=32 and component_http
// round trips, each round on the same Prosody, each build restarted before its turn. For telling
// a regression from a slower machine (the published figures come from other days' machines).
//   BENCH_BASELINE_BIN=/path/to/old/stanzagate [BENCH_N=5000] [BENCH_ROUNDS=2] bun bench/probes/builds.ts
import { startProsody } from "../../testbed/prosody.ts";
import { connectClient } from "../../testbed/xmpp-client.ts";
import { freePort } from "../../testbed/ports.ts";
import { BIN, startBenchGateway } from "../lib/gateway.ts";
import { cpuSeconds, memoryMb } from "../lib/process.ts";
import { startReceiver } from "../lib/remote-receiver.ts";
import { componentHttpRun, echoWebhook } from "../phases/component-http.ts";
import { postMsgRun } from "../phases/post-msg.ts";

const BASELINE = process.env.BENCH_BASELINE_BIN;
if (!BASELINE) throw new Error("set BENCH_BASELINE_BIN to the older build");
const N = Math.min(100_000, Number(process.env.BENCH_N ?? 5_000));
const ROUNDS = Math.min(10, Number(process.env.BENCH_ROUNDS ?? 2));

const prosody = await startProsody({ logLevel: "error", scramIterations: 10_000 });
const webhook = echoWebhook();
const routes = `auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${prosody.c2sPort}", cache_s: 3600 }
routes:
  - { plugin: post_msg, path: /msg, auth: users }
  - { plugin: component_http, options: { post_url: "${webhook.url}", max_concurrent: 64, max_queued: 100000 } }
`;
try {
  const bob = await startReceiver(prosody, "bob");
  const alice = await connectClient(prosody, "alice", { resource: "probe" });
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, bin] of [
      ["current", BIN],
      ["baseline", BASELINE],
    ] as const) {
      const gw = await startBenchGateway(prosody, await freePort(), routes, undefined, bin);
      try {
        await Bun.sleep(2_500); // as the benchmark: after the post-start-up GC
        const idle = memoryMb(gw.proc.pid).rss_mb;
        const cpu0 = cpuSeconds(gw.proc.pid);
        const post = await postMsgRun(gw.url, bob, N, 32);
        const cpu1 = cpuSeconds(gw.proc.pid);
        const ch = await componentHttpRun(alice, `echo@${prosody.componentDomain}`, N, 32);
        const cpu2 = cpuSeconds(gw.proc.pid);
        console.log(
          JSON.stringify({
            round,
            build: name,
            startup_ms: gw.startup_ms,
            idle_rss_mb: idle,
            post_msg: {
              msgs_per_s: post.msgs_per_s,
              p99_ms: post.latency.p99_ms,
              lost: post.lost,
              gateway_cpu_ms_per_msg: Math.round(((cpu1 - cpu0) * 1e6) / N) / 1000,
            },
            component_http: {
              replies_per_s: ch.replies_per_s,
              p99_ms: ch.latency.p99_ms,
              lost: ch.lost,
              gateway_cpu_ms_per_reply: Math.round(((cpu2 - cpu1) * 1e6) / N) / 1000,
            },
          }),
        );
      } finally {
        await gw.stop();
      }
    }
  }
  await Promise.all([bob.stop(), alice.stop()]).catch(() => {});
} finally {
  webhook.stop();
  await prosody.stop();
}
