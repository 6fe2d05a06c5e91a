// Runs the floor probe (floor.ts) and the gateway one after the other, alternated, on one Prosody:
// post_msg at c=32, gateway CPU per message of each. `bench/README.md`, "The floor".
//   [BENCH_N=5000] [BENCH_ROUNDS=3] bun bench/probes/floor-run.ts
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { startProsody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import { BIN, startBenchGateway } from "../lib/gateway.ts";
import { withCpu } from "../lib/process.ts";
import { startReceiver } from "../lib/remote-receiver.ts";
import { echoWebhook } from "../phases/component-http.ts";
import { benchRoutes } from "../lib/routes.ts";
import { postMsgRun } from "../phases/post-msg.ts";

const N = Math.min(100_000, Number(process.env.BENCH_N ?? 5_000));
const ROUNDS = Math.min(10, Number(process.env.BENCH_ROUNDS ?? 3));
const FLOOR = join(import.meta.dir, "../tmp/floor");
mkdirSync(dirname(FLOOR), { recursive: true });
const built = Bun.spawnSync(["scripts/compile.sh", FLOOR, "bench/probes/floor.ts", "--compile", "--minify", "--bytecode"], {
  cwd: join(import.meta.dir, "../.."),
  env: { ...process.env, BUN: process.execPath },
});
if (built.exitCode !== 0) throw new Error(`floor probe build failed: ${built.stderr}`);

/** The gateway, the floor, and the floor with each layer of the gateway's stack put back. */
const BUILDS = [
  ["gateway", BIN, ""],
  ["floor", FLOOR, ""],
  ...(process.env.FLOOR_LAYERS ?? "xmppjs,elysia,ltx,prom,xmppjs+elysia+ltx+prom")
    .split(",")
    .map((l) => [`floor + ${l}`, FLOOR, l.replaceAll("+", ",")]),
] as const;

const prosody = await startProsody({ logLevel: "error", scramIterations: 10_000 });
const webhook = echoWebhook();
const routes = benchRoutes(prosody, webhook.url);
try {
  const bob = await startReceiver(prosody, "bob");
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, bin, layers] of BUILDS) {
      const gw = await startBenchGateway(prosody, await freePort(), routes, undefined, bin, { FLOOR_LAYERS: layers });
      try {
        await Bun.sleep(2_500);
        await postMsgRun(gw.url, bob, 1_000, 32); // warm-up, as after a deployment's first minute
        const r = await withCpu(
          gw.proc.pid,
          () => postMsgRun(gw.url, bob, N, 32),
          (x) => x.delivered,
        );
        console.log(
          JSON.stringify({ round, build: name, cpu_ms_per_msg: r.gateway_cpu_ms_per_msg, msgs_per_s: r.msgs_per_s, lost: r.lost }),
        );
      } finally {
        await gw.stop();
      }
    }
  }
} finally {
  webhook.stop();
  await prosody.stop();
}
