// `make bench`: how fast and how small, against the server's own ceiling. Loopback only; every
// loop is bounded in count and time. Results: bench/results/latest.{json,md}.
// BENCH_N overrides the messages per level (default 20000) for a quick look, BENCH_OUTBOX_N the
// messages queued while Prosody is down (default 10000). After each phase, /metrics must agree
// with the benchmark's own counts (lib/scrape.ts).
import { join } from "node:path";
import { startProsody } from "../testbed/prosody.ts";
import { connectClient } from "../testbed/xmpp-client.ts";
import { startReceiver } from "./lib/remote-receiver.ts";
import { freePort } from "../testbed/ports.ts";
import { binarySizeMb, startBenchGateway } from "./lib/gateway.ts";
import { memoryMb, withCpu } from "./lib/process.ts";
import { machine, progress, write, type Results } from "./lib/report.ts";
import { markdown } from "./lib/markdown.ts";
import { ceilingRun } from "./phases/ceiling.ts";
import { componentHttpRun, echoWebhook } from "./phases/component-http.ts";
import { mucKickRun } from "./phases/muc-kick.ts";
import { outboxRun } from "./phases/outbox.ts";
import { postMsgRun, type DeliveryRun } from "./phases/post-msg.ts";
import { declarativeRun } from "./phases/declarative.ts";
import { DECLARATIVE_PATH, OPS, benchRoutes } from "./lib/routes.ts";
import { rosterRun, rosterWebApp } from "./phases/roster.ts";
import { registerUsers } from "./lib/users.ts";
import { checkTargets, checksMarkdown, lostOrDuplicated } from "./lib/targets.ts";
import { compare, metricsMarkdown, mismatches, scrape, type MetricCheck } from "./lib/scrape.ts";
import { componentHttpExpected, deliveryExpected, mucKickExpected, postMsgExpected, rosterExpected } from "./lib/expected.ts";

const N = Number(process.env.BENCH_N ?? 20_000);
const LEVELS = [1, 32, 256];
const LOAD_DOMAIN = "load.localhost";
const LOAD_SECRET = "bench-load-secret";
const ROSTER_USERS = Number(process.env.BENCH_ROSTER_USERS ?? 1_000);
const ROSTER_CONTACTS = 50;
const OUTBOX_N = Number(process.env.BENCH_OUTBOX_N ?? 10_000);
/** Where latest.{json,md} go: bench/results, or BENCH_RESULTS_DIR (a run of an older build). */
const RESULTS = process.env.BENCH_RESULTS_DIR ?? join(import.meta.dir, "results");
const metricChecks: MetricCheck[] = [];
/** Runs a phase between two scrapes of the gateway's /metrics and checks the increase. */
async function scraped<T>(phase: string, url: string, run: () => Promise<T>, expected: (r: T) => Record<string, number>): Promise<T> {
  const before = await scrape(url);
  const r = await run();
  metricChecks.push(compare(phase, before, await scrape(url), expected(r)));
  return r;
}

const prosodyVersion = Bun.spawnSync(["dpkg-query", "-W", "-f=${Version}", "prosody"]).stdout.toString() || "unknown";
const results: Results = { machine: machine(prosodyVersion), messages_per_level: N };
console.log(`Stanzagate benchmark: ${N} messages per level on ${JSON.stringify(results.machine)}`);

// Prosody's own SCRAM iteration count (10,000), as a deployment has it: the post_msg runs start
// from a cold credential cache, so their first requests pay real password checks.
const prosody = await startProsody({
  logLevel: "error",
  scramIterations: 10_000,
  extraConfig: `Component "${LOAD_DOMAIN}"\n  component_secret = "${LOAD_SECRET}"\n`,
});
const webhook = echoWebhook();
const rosterApp = rosterWebApp(ROSTER_CONTACTS);
const routes = benchRoutes(prosody, webhook.url, [
  "{ plugin: muc_kick, auth: ops, options: { linger_ms: 60000 } }",
  `{ plugin: roster_admin, auth: ops, options: { roster_url: "${rosterApp.url}" } }`,
]);
try {
  const port = await freePort();
  let gw = await startBenchGateway(prosody, port, routes);

  // Idle: after the gateway's post-start-up garbage collection (one second in), settled.
  await Bun.sleep(2_500);
  const footprint: Record<string, unknown> = {
    binary_mb: binarySizeMb(),
    startup_to_online_ms: gw.startup_ms,
    idle: memoryMb(gw.proc.pid),
  };
  results.footprint = footprint;
  progress("footprint", footprint);

  // bob receives in a thread of his own (see lib/receiver-worker.ts).
  const bob = await startReceiver(prosody, "bob");
  const runs: DeliveryRun[] = [];
  for (const c of LEVELS) {
    // A restart before each level: its first requests meet a cold credential cache.
    await gw.stop();
    gw = await startBenchGateway(prosody, port, routes, gw.dir);
    const r = await scraped(
      `post_msg c=${c}`,
      gw.url,
      () =>
        withCpu(
          gw.proc.pid,
          () => postMsgRun(gw.url, bob, N, c),
          (x) => x.delivered,
          prosody.pid,
        ),
      (x) => postMsgExpected(x.statuses ?? {}),
    );
    runs.push(r);
    const first = r.first_requests;
    progress(`post_msg c=${c}`, {
      msgs_per_s: r.msgs_per_s,
      cpu_ms_per_msg: r.gateway_cpu_ms_per_msg,
      prosody_cpu_ms: r.server_cpu_ms_per_msg,
      bench_cpu_ms: r.bench_cpu_ms_per_msg,
      p50_ms: r.latency.p50_ms,
      p99_ms: r.latency.p99_ms,
      lost: r.lost,
      dup: r.duplicates,
      errors: r.http_errors,
      first_requests_p50_ms: first?.p50_ms,
      first_requests_max_ms: first?.max_ms,
    });
    if (c === 1) footprint.after_load_1 = memoryMb(gw.proc.pid);
    if (c === 256) footprint.after_load_256 = memoryMb(gw.proc.pid);
  }
  results.post_msg = runs;

  // A declarative route (a template, no plugin) under `header` auth, at c=32.
  const declarative = await scraped(
    "declarative c=32",
    gw.url,
    () =>
      withCpu(
        gw.proc.pid,
        () => declarativeRun(gw.url, OPS, bob, N, 32),
        (x) => x.delivered,
        prosody.pid,
      ),
    (x) => deliveryExpected(DECLARATIVE_PATH, x.statuses ?? {}),
  );
  results.declarative = declarative;
  progress("declarative c=32", {
    msgs_per_s: declarative.msgs_per_s,
    cpu_ms_per_msg: declarative.gateway_cpu_ms_per_msg,
    prosody_cpu_ms: declarative.server_cpu_ms_per_msg,
    bench_cpu_ms: declarative.bench_cpu_ms_per_msg,
    p50_ms: declarative.latency.p50_ms,
    p99_ms: declarative.latency.p99_ms,
    lost: declarative.lost,
    dup: declarative.duplicates,
    errors: declarative.http_errors,
  });

  // The bare component runs in this process: its CPU is the benchmark's (the gateway idles).
  const ceiling = await withCpu(
    gw.proc.pid,
    () => ceilingRun(prosody, bob, N, LOAD_DOMAIN, LOAD_SECRET),
    (x) => x.delivered,
    prosody.pid,
  );
  const share = (rate = 0) => Math.round((rate / ceiling.msgs_per_s) * 100);
  const shares = {
    post_msg_c32_share_pct: share(runs.find((r) => r.concurrency === 32)?.msgs_per_s),
    post_msg_c256_share_pct: share(runs.find((r) => r.concurrency === 256)?.msgs_per_s),
    declarative_c32_share_pct: share(declarative.msgs_per_s),
  };
  results.ceiling = { ...ceiling, ...shares };
  progress("ceiling (bare component)", {
    msgs_per_s: ceiling.msgs_per_s,
    p99_ms: ceiling.latency.p99_ms,
    prosody_cpu_ms: ceiling.server_cpu_ms_per_msg,
    bench_cpu_ms: ceiling.bench_cpu_ms_per_msg,
    ...shares,
  });

  const alice = await connectClient(prosody, "alice", { resource: "bench" });
  const ch = await scraped(
    "component_http",
    gw.url,
    () =>
      withCpu(
        gw.proc.pid,
        () => componentHttpRun(alice, `echo@${prosody.componentDomain}`, N, 32),
        (x) => x.replies,
        prosody.pid,
      ),
    componentHttpExpected,
  );
  results.component_http = ch;
  progress("component_http window=32", {
    replies_per_s: ch.replies_per_s,
    cpu_ms_per_reply: ch.gateway_cpu_ms_per_msg,
    prosody_cpu_ms: ch.server_cpu_ms_per_msg,
    bench_cpu_ms: ch.bench_cpu_ms_per_msg,
    p50_ms: ch.latency.p50_ms,
    p99_ms: ch.latency.p99_ms,
    lost: ch.lost,
    dup: ch.duplicates,
  });

  results.muc_kick = await scraped(
    "muc_kick",
    gw.url,
    () => mucKickRun(prosody, alice, gw.url, OPS, LOAD_DOMAIN, LOAD_SECRET, 200),
    (k) => mucKickExpected(k.statuses),
  );
  progress("muc_kick", results.muc_kick as Record<string, unknown>);

  const users = Array.from({ length: ROSTER_USERS }, (_, i) => `ruser${i}`);
  await registerUsers(prosody, users);
  const roster = await scraped(
    "roster_admin",
    gw.url,
    () => rosterRun(gw.url, OPS, users, ROSTER_CONTACTS),
    (x) => rosterExpected(x.statuses, [x.first_sync_answer, x.resync_answer]),
  );
  results.roster_admin = { ...roster, web_app_requests: rosterApp.requests() };
  progress(`roster_admin ${ROSTER_USERS}x${ROSTER_CONTACTS}`, {
    first_sync_ms: roster.first_sync_ms,
    resync_ms: roster.resync_ms,
    answer: roster.resync_answer,
  });
  footprint.peak = memoryMb(gw.proc.pid);

  results.outbox = await scraped(
    "outbox",
    gw.url,
    () => outboxRun(prosody, gw.url, OUTBOX_N),
    (o) => postMsgExpected(o.statuses),
  );
  progress("outbox", results.outbox as Record<string, unknown>);
  await Promise.all([bob.stop(), alice.stop()]).catch(() => {});
  await gw.stop();
} finally {
  webhook.stop();
  rosterApp.stop();
  await prosody.stop();
}

const checks = checkTargets(results);
results.targets = checks;
results.metrics = metricChecks;
const wrongCounts = mismatches(metricChecks);
write(
  RESULTS,
  results,
  `${markdown(results)}\n${checksMarkdown(checks)}\n/metrics after each phase against the benchmark's own counts:\n\n${metricsMarkdown(metricChecks)}`,
);
console.log("\nTargets:");
for (const c of checks) console.log(`  ${c.ok ? "met    " : "MISSED "} ${c.target.padEnd(40)} ${c.measured}`);
console.log(`\n/metrics against the benchmark's counts: ${wrongCounts === 0 ? "all match" : `${wrongCounts} MISMATCHED`}`);
for (const c of metricChecks)
  for (const r of c.rows) if (!r.ok) console.log(`  ${c.phase}: ${r.series} counted ${r.expected}, scraped ${r.scraped}`);
console.log(`\nwritten: ${join(RESULTS, "latest.json")} and ${join(RESULTS, "latest.md")}`);
// Speed targets are reported; correctness is not negotiable.
process.exit(lostOrDuplicated(results) === 0 && wrongCounts === 0 ? 0 : 1);
