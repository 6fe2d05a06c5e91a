// `bun bench/auth-check.ts`: the CPU one `kind: xmpp` password check costs this process, against
// a Prosody with its default 10,000 SCRAM iterations (as the README configures it). Compares the
// SASL-only check (src/features/auth/xmpp/sasl-check.ts) with a full @xmpp/client login (stream restart,
// resource binding: what the check did before). BENCH_AUTH_N checks each (default 20).
import { startProsody } from "../testbed/prosody.ts";
import { saslPasswordCheck } from "../src/features/auth/xmpp/sasl-check.ts";
import { round } from "./lib/stats.ts";

const N = Number(process.env.BENCH_AUTH_N ?? 20);
const ITERATIONS = 10_000;

/** A full client login and logout, with xmpp.js's own SCRAM-SHA-1. */
async function fullLogin(service: string, local: string, domain: string, password: string): Promise<boolean> {
  const { client } = await import("@xmpp/client");
  const xmpp = client({ service, domain, username: local, password });
  xmpp.reconnect.stop();
  xmpp.on("error", () => {});
  try {
    await xmpp.start();
    return true;
  } finally {
    await xmpp.stop().catch(() => {});
  }
}

async function measure(label: string, check: () => Promise<boolean>): Promise<Record<string, number | string>> {
  await check(); // module loading is a one-time cost, not a per-check one
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) if (!(await check())) throw new Error(`${label}: login refused`);
  const cpu = process.cpuUsage(cpu0);
  return {
    check: label,
    cpu_ms_per_check: round((cpu.user + cpu.system) / 1000 / N),
    wall_ms_per_check: round((performance.now() - t0) / N),
  };
}

const prosody = await startProsody({ logLevel: "error", scramIterations: ITERATIONS });
try {
  const service = `xmpp://127.0.0.1:${prosody.c2sPort}`;
  const sasl = saslPasswordCheck(service);
  const rows = [
    await measure("full @xmpp/client login (before)", () => fullLogin(service, "alice", prosody.host, "alice-pw")),
    await measure("SASL-only check (now)", () => sasl("alice", prosody.host, "alice-pw")),
  ];
  console.log(`${N} sequential checks each, SCRAM-SHA-1 with ${ITERATIONS} iterations:`);
  console.table(rows);
} finally {
  await prosody.stop();
}
