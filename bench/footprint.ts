// `make bench-footprint`: binary size, start-up to online and idle RSS of each build variant
// (bench/README.md, "Footprint"). FOOTPRINT_ROUNDS (default 5) starts per variant and routes.yaml;
// FOOTPRINT_VARIANTS, a regular expression, picks variants by name.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BunPlugin } from "bun";
import { startProsody } from "../testbed/prosody.ts";
import { freePort } from "../testbed/ports.ts";
import { startBenchGateway } from "./lib/gateway.ts";
import { buildVariant, fmt, footprintRun, type Variant } from "./phases/footprint.ts";

const ROUNDS = Number(process.env.FOOTPRINT_ROUNDS ?? 5);
const PICK = new RegExp(process.env.FOOTPRINT_VARIANTS ?? ".");
const DIR = join(import.meta.dir, "tmp/footprint");
const ORDER = join(DIR, "bytecode-order.txt");
const DECLARATIVE = "one declarative route";
const shipped = { minify: true, bytecode: true } as const;
/** The prototype bound for lazily loaded plugins: no plugin code in the bundle at all. */
const noPlugins: BunPlugin = {
  name: "no-plugins",
  setup(b) {
    b.onLoad({ filter: /plugins\/index\.ts$/ }, () => ({ contents: "export const BUILTIN_PLUGINS = new Map();", loader: "ts" }));
  },
};
const probe = (file: string) => join(import.meta.dir, "probes", file);
const VARIANTS: Variant[] = [
  { name: "--minify --bytecode", build: shipped },
  { name: "--compile-jit-policy=16 (shipped)", build: shipped, compile: { jitPolicy: 16 } },
  { name: "--bytecode-order, --compile-jit-policy=16", build: shipped, compile: { bytecodeOrder: ORDER, jitPolicy: 16 } },
  { name: "--minify", build: { minify: true } },
  { name: "--bytecode", build: { bytecode: true } },
  { name: "no flags", build: {} },
  { name: "run with --smol", build: shipped, compile: { execArgv: ["--smol"] } },
  { name: "--bytecode-order", build: shipped, compile: { bytecodeOrder: ORDER } },
  { name: "--bytecode-depth=0", build: { ...shipped, bytecodeDepth: 0 } as Variant["build"] },
  { name: "prototype: no plugin code in the bundle", build: { ...shipped, plugins: [noPlugins] }, configs: [DECLARATIVE] },
  { name: "probe: Bun.serve only", build: shipped, entry: probe("serve-only.ts"), configs: [DECLARATIVE] },
  { name: "probe: Bun.serve + prom-client", build: shipped, entry: probe("prom-client.ts"), configs: [DECLARATIVE] },
  { name: "probe: elysia", build: shipped, entry: probe("elysia.ts"), configs: [DECLARATIVE] },
].filter((v) => PICK.test(v.name));

const prosody = await startProsody({ logLevel: "error" });
try {
  const configs = {
    "four plugins": `auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${prosody.c2sPort}", cache_s: 3600 }
  ops: { kind: header, value: "Basic b3BzOm9wcw==" }
routes:
  - { plugin: post_msg, path: /msg, auth: users }
  - { plugin: component_http, options: { post_url: "http://127.0.0.1:9/hook" } }
  - { plugin: muc_kick, auth: ops }
  - { plugin: roster_admin, auth: ops, options: { roster_url: "http://127.0.0.1:9/roster/%s" } }
`,
    "one declarative route": `routes:
  - path: /hello
    send: <message to="bob@localhost" type="chat"><body>hello</body></message>
`,
  };
  if (VARIANTS.some((v) => v.compile?.bytecodeOrder) && !existsSync(ORDER)) await recordOrder(configs["four plugins"]);
  const figures = await footprintRun(prosody, VARIANTS, configs, ROUNDS, DIR);
  console.log(
    `\nmedian [min-max] of ${ROUNDS} starts; load average ${(await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ")}\n`,
  );
  console.log(
    `| variant | binary | ${Object.keys(configs)
      .map((c) => `${c}: start-up / idle RSS (anonymous + file)`)
      .join(" | ")} |`,
  );
  console.log(
    `| --- | --- | ${Object.keys(configs)
      .map(() => "---")
      .join(" | ")} |`,
  );
  for (const f of figures) {
    const cells = Object.keys(configs).map((name) => {
      const c = f.configs[name];
      return c ? `${fmt(c.startup_ms, " ms")} / ${fmt(c.rss_mb, " MB")} (${c.anon_mb.median} + ${c.file_mb.median})` : "n/a";
    });
    console.log(`| ${f.variant} | ${f.binary_mb} MB | ${cells.join(" | ")} |`);
  }
} finally {
  await prosody.stop();
}

/** Profile-guided bytecode layout: one start of the shipped build records the functions it used. */
async function recordOrder(routes: string): Promise<void> {
  const bin = await buildVariant({ name: "order-recorder", build: shipped }, DIR);
  const gw = await startBenchGateway(prosody, await freePort(), routes, undefined, bin, { BUN_BYTECODE_ORDER_OUT: ORDER });
  await Bun.sleep(2_500);
  await gw.stop();
  if (!existsSync(ORDER)) throw new Error("the executable wrote no bytecode order file");
  rmSync(bin);
}
