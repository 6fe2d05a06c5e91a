// post_msg with the store in PostgreSQL and with replicas (issue 26, "closing measurements"), on
// the built gateway and one Prosody: 1 gateway on SQLite, 1 gateway on PostgreSQL, 3 gateways on
// one PostgreSQL. Every setup is reached through testbed/balancer.ts (in this process, one
// target for the single gateways), so the path differs only by the store and the replicas. Each
// setup gets a warm-up run (the credential caches: `xmpp` auth logs in once per replica), then
// N requests at concurrency C; bob counts arrivals (lost and duplicated must be 0).
//   [BENCH_N=5000] [BENCH_CONCURRENCY=32] bun bench/probes/replicas.ts      (after make build; BENCH_BIN= another build)
import { loadavg } from "node:os";
import { SQL } from "bun";
import { startBalancer } from "../../testbed/balancer.ts";
import { startPostgres } from "../../testbed/postgres.ts";
import { startProsody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { type BenchGateway, startBenchGateway } from "../lib/gateway.ts";
import { cpuSeconds } from "../lib/process.ts";
import { startReceiver } from "../lib/remote-receiver.ts";
import { benchRoutes } from "../lib/routes.ts";
import { type DeliveryRun, postMsgRun } from "../phases/post-msg.ts";

const N = Math.min(100_000, Number(process.env.BENCH_N ?? 5_000));
const C = Math.min(1024, Number(process.env.BENCH_CONCURRENCY ?? 32));
const WARM_UP = 3 * C;
/** Each gateway its own component domain: a server routes one domain to one connection. */
const domains = [0, 1, 2].map((n) => ({ domain: `replica-${n}.localhost`, secret: `replica-${n}-secret` }));
const SETUPS = [
  { name: "1 gateway, SQLite", gateways: 1, postgres: false },
  { name: "1 gateway, PostgreSQL", gateways: 1, postgres: true },
  { name: "3 gateways, one PostgreSQL", gateways: 3, postgres: true },
] as const;

type Row = { setup: string; run: DeliveryRun & { gateway_cpu_ms_per_msg: number }; load: string };

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const prosody = await startProsody({
  logLevel: "error",
  scramIterations: 10_000,
  extraConfig: domains.map((c) => `\nComponent "${c.domain}"\n  component_secret = "${c.secret}"\n`).join(""),
});
const pg = await startPostgres();
const admin = new SQL(pg.url);
const rows: Row[] = [];
try {
  const bob = await startReceiver(prosody, "bob");
  for (const [n, setup] of SETUPS.entries()) {
    let store: string | undefined;
    if (setup.postgres) {
      await admin.unsafe(`CREATE DATABASE probe_${n}`);
      store = pg.url.replace(/\/stanzagate$/, `/probe_${n}`);
    }
    const gateways: BenchGateway[] = [];
    try {
      // One after the other: replicas starting together would migrate once anyway (advisory lock).
      for (const c of domains.slice(0, setup.gateways)) gateways.push(await startOn(prosody, c, store));
      const balancer = await startBalancer(() => gateways.map((g) => g.url));
      try {
        await postMsgRun(balancer.url, bob, WARM_UP, C);
        const before = load();
        // CPU of every gateway of the setup, per message delivered.
        const run = await withCpus(
          gateways.map((g) => g.proc.pid),
          () => postMsgRun(balancer.url, bob, N, C),
        );
        rows.push({ setup: setup.name, run, load: `${before} -> ${load()}` });
        console.log(JSON.stringify({ setup: setup.name, ...run, handed: balancer.handed }));
      } finally {
        await balancer.stop();
      }
    } finally {
      await Promise.all(gateways.map((g) => g.stop()));
    }
  }
  await bob.stop().catch(() => {});
} finally {
  await admin.close();
  await pg.stop();
  await prosody.stop();
}

console.log(
  `\npost_msg at c=${C}, ${N} requests per setup, one Prosody, through testbed/balancer.ts (load average 1/5/15 min, before -> after):\n`,
);
console.log("| setup | msgs/s | p50 ms | p99 ms | gateway CPU ms/msg | lost | duplicated | load average |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const { setup, run, load: l } of rows) {
  const { msgs_per_s, latency, lost, duplicates, gateway_cpu_ms_per_msg } = run;
  console.log(
    `| ${setup} | ${msgs_per_s} | ${latency.p50_ms} | ${latency.p99_ms} | ${gateway_cpu_ms_per_msg} | ${lost} | ${duplicates} | ${l} |`,
  );
}

/** A gateway under component `c` (its own domain and secret) on `store` (default: its own SQLite file). */
function startOn(server: XmppServer, c: { domain: string; secret: string }, store?: string): Promise<BenchGateway> {
  const seen = Object.assign(Object.create(server) as XmppServer, { componentDomain: c.domain, componentSecret: c.secret });
  return freePort().then((port) =>
    startBenchGateway(seen, port, benchRoutes(seen, "http://127.0.0.1:9/"), undefined, undefined, {}, [], store),
  );
}

/** Runs `run`; the CPU time every process of `pids` spent meanwhile, per message delivered (as process.ts `withCpu`). */
async function withCpus(pids: number[], run: () => Promise<DeliveryRun>): Promise<DeliveryRun & { gateway_cpu_ms_per_msg: number }> {
  const cpu = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const before = cpu();
  const result = await run();
  const ms = (cpu() - before) * 1000;
  return { ...result, gateway_cpu_ms_per_msg: Math.round((ms / Math.max(1, result.delivered)) * 1000) / 1000 };
}
