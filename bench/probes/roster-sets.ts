// The roster phase on one Prosody: the default (`items_per_set: auto`, 100 per set on Prosody)
// against one item per roster set (RFC 6121 §2.1.5, what other servers get), and, with BENCH_BASELINE_BIN, against an older
// build of the gateway (its own defaults): rounds alternated, each run on a Prosody of its own,
// so a busy machine slows every variant alike.
//   make build && BENCH_ROSTER_USERS=100 node_modules/.bin/bun bench/probes/roster-sets.ts
//   BENCH_BASELINE_BIN=/path/to/old/stanzagate BENCH_ROUNDS=2 ... (first sync of 1,000 x 50)
import { startProsody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import { BIN, startBenchGateway } from "../lib/gateway.ts";
import { cpuSeconds } from "../lib/process.ts";
import { registerUsers } from "../lib/users.ts";
import { rosterRun, rosterWebApp } from "../phases/roster.ts";

const USERS = Number(process.env.BENCH_ROSTER_USERS ?? 100);
const ROUNDS = Math.min(10, Number(process.env.BENCH_ROUNDS ?? 2));
const BASELINE = process.env.BENCH_BASELINE_BIN;
const CONTACTS = 50;
const OPS = "Basic YmVuY2g6YmVuY2g=";

interface Variant {
  name: string;
  bin: string;
  /** The plugin's options beyond roster_url. */
  options: string;
}
const variants: Variant[] = [
  { name: "items_per_set: auto (default)", bin: BIN, options: "" },
  { name: "items_per_set: 1", bin: BIN, options: ", items_per_set: 1" },
  ...(BASELINE ? [{ name: "baseline build", bin: BASELINE, options: "" }] : []),
];

const app = rosterWebApp(CONTACTS);
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const variant of variants) {
      const prosody = await startProsody({ logLevel: "error" });
      const users = Array.from({ length: USERS }, (_, i) => `ruser${i}`);
      await registerUsers(prosody, users);
      const routes = `auth:\n  ops: { kind: header, value: "${OPS}" }\nroutes:\n  - { plugin: roster_admin, auth: ops, options: { roster_url: "${app.url}"${variant.options} } }\n`;
      const gw = await startBenchGateway(prosody, await freePort(), routes, undefined, variant.bin);
      try {
        // CPU seconds of both sides across the run: less noisy than wall time on a busy machine.
        const cpu = () => ({ server: cpuSeconds(prosody.pid ?? 0), gateway: cpuSeconds(gw.proc.pid) });
        const before = cpu();
        const run = await rosterRun(gw.url, OPS, users, CONTACTS);
        const after = cpu();
        const used = {
          server_cpu_s: Math.round((after.server - before.server) * 10) / 10,
          gateway_cpu_s: Math.round((after.gateway - before.gateway) * 10) / 10,
        };
        console.log(
          JSON.stringify({
            round,
            variant: variant.name,
            users: USERS,
            contacts: CONTACTS,
            first_sync_ms: run.first_sync_ms,
            resync_ms: run.resync_ms,
            ...used,
            answer: run.first_sync_answer,
          }),
        );
      } finally {
        await gw.stop();
        await prosody.stop();
      }
    }
  }
} finally {
  app.stop();
}
