// `make bench`: how fast and how small, against the server's own ceiling. Loopback only; every
// loop is bounded in count and time. Results: bench/results/latest.{json,md}.
// BENCH_N overrides the messages per level (default 20000) for a quick look.
import { join } from "node:path";
import { startProsody } from "../test/helpers/prosody.ts";
import { connectClient } from "../test/helpers/xmpp-client.ts";
import { freePort } from "../test/helpers/ports.ts";
import { binarySizeMb, startBenchGateway } from "./lib/gateway.ts";
import { memoryMb } from "./lib/process.ts";
import { machine, progress, write, type Results } from "./lib/report.ts";
import { ceilingRun } from "./phases/ceiling.ts";
import { outboxRun } from "./phases/outbox.ts";
import { postMsgRun, type DeliveryRun } from "./phases/post-msg.ts";
import { extraPhases } from "./phases/extra.ts";
import { markdown } from "./lib/markdown.ts";

const N = Number(process.env.BENCH_N ?? 20_000);
const LEVELS = [1, 32, 256];
const LOAD_DOMAIN = "load.localhost";
const LOAD_SECRET = "bench-load-secret";

const prosodyVersion = Bun.spawnSync(["dpkg-query", "-W", "-f=${Version}", "prosody"]).stdout.toString() || "unknown";
const results: Results = { machine: machine(prosodyVersion), messages_per_level: N };
console.log(`Stanzagate benchmark: ${N} messages per level, ${JSON.stringify(results.machine)}`);

const prosody = await startProsody({
  logLevel: "error",
  extraConfig: `Component "${LOAD_DOMAIN}"\n  component_secret = "${LOAD_SECRET}"\n`,
});
try {
  const routes = `auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${prosody.c2sPort}", cache_s: 3600 }
routes:
  - plugin: post_msg
    path: /msg
    auth: users
`;
  const gw = await startBenchGateway(prosody, await freePort(), routes);
  await Bun.sleep(1_000);
  results.footprint = { binary_mb: binarySizeMb(), startup_to_online_ms: gw.startup_ms, idle: memoryMb(gw.proc.pid) };
  progress("footprint", results.footprint as Record<string, unknown>);

  const bob = await connectClient(prosody, "bob", { resource: "bench" });
  const runs: DeliveryRun[] = [];
  for (const c of LEVELS) {
    const r = await postMsgRun(gw.url, bob, N, c);
    runs.push(r);
    progress(`post_msg c=${c}`, { msgs_per_s: r.msgs_per_s, p50_ms: r.latency.p50_ms, p99_ms: r.latency.p99_ms, lost: r.lost, dup: r.duplicates, errors: r.http_errors });
    if (c === 1) (results.footprint as Record<string, unknown>).after_load_1 = memoryMb(gw.proc.pid);
  }
  results.post_msg = runs;
  const ceiling = await ceilingRun(prosody, bob, N, LOAD_DOMAIN, LOAD_SECRET);
  const c32 = runs.find((r) => r.concurrency === 32);
  results.ceiling = { ...ceiling, post_msg_c32_share_pct: c32 ? Math.round((c32.msgs_per_s / ceiling.msgs_per_s) * 100) : 0 };
  progress("ceiling (bare component)", { msgs_per_s: ceiling.msgs_per_s, p99_ms: ceiling.latency.p99_ms, share_of_ceiling_pct: (results.ceiling as Record<string, unknown>).post_msg_c32_share_pct });

  Object.assign(results, await extraPhases({ prosody, bob, loadDomain: LOAD_DOMAIN, loadSecret: LOAD_SECRET, n: N }));
  (results.footprint as Record<string, unknown>).peak = memoryMb(gw.proc.pid);

  results.outbox = await outboxRun(prosody, gw.url, 10_000);
  progress("outbox", results.outbox as Record<string, unknown>);
  await bob.stop().catch(() => {});
  await gw.stop();
} finally {
  await prosody.stop();
}

write(join(import.meta.dir, "results"), results, markdown(results));
console.log(`\nwritten: bench/results/latest.json and bench/results/latest.md`);
process.exit(0);
