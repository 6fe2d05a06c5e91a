// Where the gateway's CPU goes, per path: each phase runs against a gateway started from the
// sources under Bun's sampling profiler (`bun --cpu-prof`), one gateway per phase, and its
// profile is summarized into bench/profiles/<label>-<phase>.md (top frames by self and total
// time, self time by file or package). The raw profiles stay in a temporary folder.
//   [PROFILE_LABEL=before] [BENCH_N=5000] bun bench/probes/profile.ts
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProsody } from "../../testbed/prosody.ts";
import { connectClient } from "../../testbed/xmpp-client.ts";
import { freePort } from "../../testbed/ports.ts";
import { startBenchGateway } from "../lib/gateway.ts";
import { cpuSeconds } from "../lib/process.ts";
import { startReceiver } from "../lib/remote-receiver.ts";
import { summarizeProfile, type CpuProfile } from "../lib/cpu-profile.ts";
import { componentHttpRun, echoWebhook } from "../phases/component-http.ts";
import { declarativeRun } from "../phases/declarative.ts";
import { OPS, benchRoutes } from "../lib/routes.ts";
import { postMsgRun } from "../phases/post-msg.ts";

const N = Math.min(100_000, Number(process.env.BENCH_N ?? 5_000));
const LABEL = process.env.PROFILE_LABEL ?? "profile";
const OUT = join(import.meta.dir, "../profiles");
/** Sampling interval (µs): finer than the default 1 ms, for a few thousand samples per phase. */
const INTERVAL_US = 250;
const MAIN = join(import.meta.dir, "../../src/main.ts");

const prosody = await startProsody({ logLevel: "error", scramIterations: 10_000 });
const webhook = echoWebhook();
const routes = benchRoutes(prosody, webhook.url);
try {
  const bob = await startReceiver(prosody, "bob");
  const alice = await connectClient(prosody, "alice", { resource: "profile" });
  const phases: Record<string, (url: string) => Promise<unknown>> = {
    post_msg: (url) => postMsgRun(url, bob, N, 32),
    declarative: (url) => declarativeRun(url, OPS, bob, N, 32),
    component_http: () => componentHttpRun(alice, `echo@${prosody.componentDomain}`, N, 32),
  };
  for (const [phase, run] of Object.entries(phases)) {
    const dir = mkdtempSync(join(tmpdir(), "sg-profile-"));
    const command = [process.execPath, "--cpu-prof", `--cpu-prof-interval=${INTERVAL_US}`, `--cpu-prof-dir=${dir}`, MAIN];
    const spawned = performance.now();
    const gw = await startBenchGateway(prosody, await freePort(), routes, dir, command);
    await Bun.sleep(500);
    const skipMs = Math.round(performance.now() - spawned);
    const cpu0 = cpuSeconds(gw.proc.pid);
    await run(gw.url);
    const msPerMsg = ((cpuSeconds(gw.proc.pid) - cpu0) * 1000) / N;
    await gw.stop();
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no profile written in ${dir}`);
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
    const heading = `${phase}, ${N} messages at concurrency 32 (${LABEL}): ${msPerMsg.toFixed(3)} ms gateway CPU per message under the profiler`;
    writeFileSync(join(OUT, `${LABEL}-${phase}.md`), summarizeProfile(profile, heading, skipMs));
    console.log(`${heading}\n  raw profile: ${join(dir, file)}`);
  }
  await Promise.all([bob.stop(), alice.stop()]).catch(() => {});
} finally {
  webhook.stop();
  await prosody.stop();
}
