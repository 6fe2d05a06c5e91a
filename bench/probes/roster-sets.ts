// The roster phase twice on one Prosody: one item per roster set (the default, RFC 6121 §2.1.5)
// against `items_per_set: 100` (Prosody only), alternated, each run on a Prosody of its own.
//   make build && BENCH_ROSTER_USERS=100 node_modules/.bin/bun bench/probes/roster-sets.ts
import { startProsody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import { startBenchGateway } from "../lib/gateway.ts";
import { registerUsers } from "../lib/users.ts";
import { rosterRun, rosterWebApp } from "../phases/roster.ts";

const USERS = Number(process.env.BENCH_ROSTER_USERS ?? 100);
const CONTACTS = 50;
const OPS = "Basic YmVuY2g6YmVuY2g=";

const app = rosterWebApp(CONTACTS);
try {
  for (const itemsPerSet of [100, 1, 100, 1]) {
    const prosody = await startProsody({ logLevel: "error" });
    const users = Array.from({ length: USERS }, (_, i) => `ruser${i}`);
    await registerUsers(prosody, users);
    const routes = `auth:\n  ops: { kind: header, value: "${OPS}" }\nroutes:\n  - { plugin: roster_admin, auth: ops, options: { roster_url: "${app.url}", items_per_set: ${itemsPerSet} } }\n`;
    const gw = await startBenchGateway(prosody, await freePort(), routes);
    try {
      const run = await rosterRun(gw.url, OPS, users, CONTACTS);
      console.log(JSON.stringify({ items_per_set: itemsPerSet, users: USERS, contacts: CONTACTS, first_sync_ms: run.first_sync_ms, resync_ms: run.resync_ms, answer: run.first_sync_answer }));
    } finally {
      await gw.stop();
      await prosody.stop();
    }
  }
} finally {
  app.stop();
}
