// `make bench-footprint`: binary size, start-up to online and idle RSS of each build variant
// (bench/README.md, "Footprint"). FOOTPRINT_ROUNDS (default 5) starts per variant and routes.yaml.
import { join } from "node:path";
import { startProsody } from "../testbed/prosody.ts";
import { footprintRun, type Variant } from "./phases/footprint.ts";

const ROUNDS = Number(process.env.FOOTPRINT_ROUNDS ?? 5);
const VARIANTS: Variant[] = [
  { name: "--minify --bytecode", flags: ["--minify", "--bytecode"] },
  { name: "--minify", flags: ["--minify"] },
  { name: "--bytecode", flags: ["--bytecode"] },
  { name: "no flags", flags: [] },
  { name: "--minify --bytecode, run with --smol", flags: ["--minify", "--bytecode", "--compile-exec-argv=--smol"] },
];

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
  const figures = await footprintRun(prosody, VARIANTS, configs, ROUNDS, join(import.meta.dir, "tmp/footprint"));
  console.log(`| variant | binary | ${Object.keys(configs).map((c) => `${c}: start-up / idle RSS`).join(" | ")} |`);
  console.log(`| --- | --- | ${Object.keys(configs).map(() => "---").join(" | ")} |`);
  for (const f of figures) {
    console.log(`| ${f.variant} | ${f.binary_mb} MB | ${Object.values(f.configs).map((c) => `${c.startup_ms} ms / ${c.idle_rss_mb} MB`).join(" | ")} |`);
  }
} finally {
  await prosody.stop();
}
