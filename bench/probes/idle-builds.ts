// Two builds' start-up to online and idle RSS, alternated on one Prosody, with the benchmark's
// routes plus one entry of every sender format and a bot (the "every feature configured"):
// what a change to start-up or to what is loaded buys, on a machine whose page cache and load move
// (both builds are evicted from the page cache first: lib/page-cache.ts).
//   BENCH_BASELINE_BIN=/path/to/old/stanzagate [BENCH_ROUNDS=5] bun bench/probes/idle-builds.ts
import { startProsody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import { BIN, startBenchGateway } from "../lib/gateway.ts";
import { memoryMb } from "../lib/process.ts";
import { benchRoutes } from "../lib/routes.ts";
import { evictFromPageCache } from "../lib/page-cache.ts";

const BASELINE = process.env.BENCH_BASELINE_BIN;
if (!BASELINE) throw new Error("set BENCH_BASELINE_BIN to the older build");
const ROUNDS = Math.min(20, Number(process.env.BENCH_ROUNDS ?? 5));
const HOOK = "http://127.0.0.1:9/hook";

// Both read back from disk alike: what of a binary is cached moves its resident pages (page-cache.ts).
evictFromPageCache(BASELINE, BIN);
const prosody = await startProsody({ logLevel: "error" });
try {
  const every = [
    "{ plugin: muc_kick, auth: ops }",
    `{ plugin: roster_admin, auth: ops, options: { roster_url: "${HOOK}/%s" } }`,
    `{ preset: ntfy, path: /ntfy, to: bob@${prosody.host}, topics: { alerts: bob@${prosody.host} } }`,
    `{ preset: gotify, path: /gotify, auth: apps, to: bob@${prosody.host} }`,
    `{ preset: slack, path: /slack/0123456789abcdef0123456789abcdef, to: bob@${prosody.host} }`,
    `{ preset: discord, path: /discord/0123456789abcdef0123456789abcdef, to: bob@${prosody.host} }`,
    `{ preset: teams, path: /teams/0123456789abcdef0123456789abcdef, to: bob@${prosody.host} }`,
    `{ preset: apprise, path: /apprise, auth: ops, to: bob@${prosody.host} }`,
    `{ preset: alertmanager, path: /alertmanager, auth: ops, to: bob@${prosody.host} }`,
  ];
  const bot = `bots:
  - jid: house@${prosody.componentDomain}
    allow: [bob@${prosody.host}]
    commands:
      - { match: '^ping$', reply: pong }
`;
  // benchRoutes opens the auth: section; the bearer scheme Gotify senders need joins it.
  const routes = `${bot}${benchRoutes(prosody, HOOK, every)}`.replace(
    "auth:\n",
    'auth:\n  apps: { kind: bearer, tokens: [{ name: app, token: "0123456789abcdef" }] }\n',
  );
  const rows: Record<string, { startup: number[]; rss: number[] }> = {
    baseline: { startup: [], rss: [] },
    current: { startup: [], rss: [] },
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, bin] of [
      ["baseline", BASELINE],
      ["current", BIN],
    ] as const) {
      const gw = await startBenchGateway(prosody, await freePort(), routes, undefined, bin);
      // After the gateway's start-up garbage collection (one second in).
      await Bun.sleep(2_500);
      rows[name]?.startup.push(gw.startup_ms);
      rows[name]?.rss.push(memoryMb(gw.proc.pid).rss_mb);
      await gw.stop();
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  for (const [name, r] of Object.entries(rows))
    console.log(`${name}: start-up ${median(r.startup)} ms [${r.startup.join(" ")}], idle RSS ${median(r.rss)} MB [${r.rss.join(" ")}]`);
} finally {
  await prosody.stop();
}
