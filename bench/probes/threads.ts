// Where a build's CPU per post_msg message goes, by thread: the main thread (JavaScript, the
// HTTP server, sockets) against JavaScriptCore's JIT compiler threads, the GC's helpers and the
// rest, from /proc/<pid>/task/<tid>/stat before and after a run at c=32, warmed up first. Each
// build in turn (BENCH_BIN, then BENCH_BASELINE_BIN when set), BENCH_ROUNDS times.
//   [BENCH_BIN=<build>] [BENCH_BASELINE_BIN=<build>] [BENCH_N=20000] [BENCH_ROUNDS=2] bun bench/probes/threads.ts
import { readdirSync, readFileSync } from "node:fs";
import { startProsody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import { BIN, startBenchGateway } from "../lib/gateway.ts";
import { startReceiver } from "../lib/remote-receiver.ts";
import { benchRoutes } from "../lib/routes.ts";
import { postMsgRun } from "../phases/post-msg.ts";
import { echoWebhook } from "../phases/component-http.ts";

const N = Math.min(100_000, Number(process.env.BENCH_N ?? 20_000));
const ROUNDS = Math.min(10, Number(process.env.BENCH_ROUNDS ?? 2));
const BUILDS = [["current", BIN], ...(process.env.BENCH_BASELINE_BIN ? [["baseline", process.env.BENCH_BASELINE_BIN]] : [])];
/** USER_HZ (getconf CLK_TCK), as bench/lib/process.ts. */
const CLOCK_TICKS = 100;

/** CPU seconds per thread, grouped by the thread's name (comm): the main thread is the one whose tid is the pid. */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue; // the thread ended meanwhile
    }
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const name = Number(tid) === pid ? "main" : comm.replace(/\d+$/, "#");
    byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
  }
  return byName;
}

const prosody = await startProsody({ logLevel: "error", scramIterations: 10_000 });
const webhook = echoWebhook();
try {
  const bob = await startReceiver(prosody, "bob");
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [build, bin] of BUILDS) {
      const gw = await startBenchGateway(prosody, await freePort(), benchRoutes(prosody, webhook.url), undefined, bin);
      try {
        await postMsgRun(gw.url, bob, 5_000, 32); // warm-up: the JIT's first compilations left out
        const before = threadCpu(gw.proc.pid);
        const run = await postMsgRun(gw.url, bob, N, 32);
        const after = threadCpu(gw.proc.pid);
        const perMsg: Record<string, number> = {};
        let total = 0;
        for (const [name, cpu] of after) {
          const ms = ((cpu - (before.get(name) ?? 0)) * 1000) / Math.max(1, run.delivered);
          total += ms;
          if (ms > 0) perMsg[name] = Math.round(ms * 1000) / 1000;
        }
        console.log(
          JSON.stringify({ round, build, delivered: run.delivered, lost: run.lost, total_ms: Math.round(total * 1000) / 1000, ...perMsg }),
        );
      } finally {
        await gw.stop();
      }
    }
  }
  await bob.stop().catch(() => {});
} finally {
  webhook.stop();
  await prosody.stop();
}
