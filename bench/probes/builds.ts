// Two builds of the gateway on one machine, alternated: post_msg at c=32, a declarative route at
// c=32 and component_http round trips, each round on the same Prosody, each build restarted
// before its turn. For telling a regression from a slower machine (the published figures come
// from other days' machines), and for measuring what a change buys: the gateway's CPU per
// message (/proc/<pid>/stat) disturbs less than rates on a busy machine; the last line gives the
// median ratio current/baseline of each figure over the rounds.
//   BENCH_BASELINE_BIN=/path/to/old/stanzagate [BENCH_N=5000] [BENCH_ROUNDS=2] [BENCH_CONCURRENCY=32] bun bench/probes/builds.ts
import { startProsody } from "../../testbed/prosody.ts";
import { connectClient } from "../../testbed/xmpp-client.ts";
import { freePort } from "../../testbed/ports.ts";
import { BIN, startBenchGateway } from "../lib/gateway.ts";
import { memoryMb, withCpu } from "../lib/process.ts";
import { startReceiver } from "../lib/remote-receiver.ts";
import { componentHttpRun, echoWebhook } from "../phases/component-http.ts";
import { declarativeRun } from "../phases/declarative.ts";
import { OPS, benchRoutes } from "../lib/routes.ts";
import { postMsgRun } from "../phases/post-msg.ts";
import { evictFromPageCache } from "../lib/page-cache.ts";

const BASELINE = process.env.BENCH_BASELINE_BIN;
if (!BASELINE) throw new Error("set BENCH_BASELINE_BIN to the older build");
const N = Math.min(100_000, Number(process.env.BENCH_N ?? 5_000));
const ROUNDS = Math.min(10, Number(process.env.BENCH_ROUNDS ?? 2));
/** Requests (and component_http messages) in flight: 32 unless BENCH_CONCURRENCY says otherwise. */
const C = Math.min(1024, Number(process.env.BENCH_CONCURRENCY ?? 32));

// Both read back from disk alike: what of a binary is cached moves its idle RSS (page-cache.ts).
evictFromPageCache(BASELINE, BIN);
const prosody = await startProsody({ logLevel: "error", scramIterations: 10_000 });
const webhook = echoWebhook();
const routes = benchRoutes(prosody, webhook.url);
/** figure -> build -> one value per round. */
const figures = new Map<string, Record<string, number[]>>();
const note = (build: string, values: Record<string, number>) => {
  for (const [k, v] of Object.entries(values)) {
    const byBuild = figures.get(k) ?? {};
    (byBuild[build] ??= []).push(v);
    figures.set(k, byBuild);
  }
};
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
        const pid = gw.proc.pid;
        const post = await withCpu(
          pid,
          () => postMsgRun(gw.url, bob, N, C),
          (x) => x.delivered,
        );
        const decl = await withCpu(
          pid,
          () => declarativeRun(gw.url, OPS, bob, N, C),
          (x) => x.delivered,
        );
        const ch = await withCpu(
          pid,
          () => componentHttpRun(alice, `echo@${prosody.componentDomain}`, N, C),
          (x) => x.replies,
        );
        const row = {
          startup_ms: gw.startup_ms,
          idle_rss_mb: idle,
          post_msg_cpu_ms: post.gateway_cpu_ms_per_msg,
          post_msg_per_s: post.msgs_per_s,
          declarative_cpu_ms: decl.gateway_cpu_ms_per_msg,
          declarative_per_s: decl.msgs_per_s,
          component_http_cpu_ms: ch.gateway_cpu_ms_per_msg,
          component_http_per_s: ch.replies_per_s,
        };
        note(name, row);
        const lost = post.lost + decl.lost + ch.lost + post.duplicates + decl.duplicates + ch.duplicates;
        console.log(JSON.stringify({ round, build: name, ...row, lost_or_duplicated: lost }));
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log("\nmedian ratio current/baseline, round by round (lower CPU is better):");
for (const [k, byBuild] of figures) {
  const cur = byBuild.current ?? [];
  const base = byBuild.baseline ?? [];
  const ratios = cur.map((v, i) => v / (base[i] ?? NaN));
  console.log(
    `  ${k.padEnd(24)} ${median(cur)} vs ${median(base)}  ratio ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(" ")}]`,
  );
}
