// Each library's share of idle RSS, compiled as the gateway is (the Makefile's COMPILE_FLAGS): one
// tiny program per library that imports it the way src/ does, keeps every export alive (so the
// bundler drops nothing) and idles behind Bun.serve; its RSS 2.5 s after start (after the
// program's GC at 1 s, as the gateway's) minus the floor (the same program importing nothing).
// The programs are built under bench/tmp/library-rss and removed at the end.
// Programs start round-robin, ROUNDS times each; medians. Loading costs, not use: a library that
// builds tables when first called (TypeBox's compiler) adds more once used.
//   [BENCH_ROUNDS=3] [LIBRARIES=regex] bun bench/probes/library-rss.ts
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { memoryMb } from "../lib/process.ts";

const ROOT = join(import.meta.dir, "../..");
const DIR = join(ROOT, "bench/tmp/library-rss");
const ROUNDS = Math.min(10, Number(process.env.BENCH_ROUNDS ?? 3));
const PICK = new RegExp(process.env.LIBRARIES ?? ".");

/** What src/ imports of each library (the ltx line stands for @xmpp/xml too: it is ltx's). */
const LIBRARIES: Record<string, string[]> = {
  floor: [],
  elysia: [`import * as m from "elysia";`],
  "prom-client": [
    `import * as a from "prom-client/lib/registry";`,
    `import * as b from "prom-client/lib/counter";`,
    `import * as c from "prom-client/lib/gauge";`,
    `import * as d from "prom-client/lib/histogram";`,
    "const m = [a, b, c, d];",
  ],
  typebox: [`import * as a from "@sinclair/typebox";`, `import * as b from "@sinclair/typebox/value";`, "const m = [a, b];"],
  "typebox/compiler": [`import * as m from "@sinclair/typebox/compiler";`],
  liquidjs: [`import * as m from "liquidjs";`],
  "ltx + @xmpp/xml": [`import * as a from "ltx";`, `import * as b from "@xmpp/xml";`, "const m = [a, b];"],
  "@xmpp/component-core + tls": [
    `import * as a from "@xmpp/component-core";`,
    `import * as b from "@xmpp/tls/lib/Socket.js";`,
    "const m = [a, b];",
  ],
  yaml: [`import * as m from "yaml";`],
  croner: [`import * as m from "croner";`],
  "file-type": [`import * as m from "file-type";`],
  scslre: [`import * as m from "scslre";`],
  "bun:sqlite": [`import { Database } from "bun:sqlite";`, `const m = new Database(":memory:").query("SELECT 1").get();`],
};

function program(lines: string[]): string {
  return `${lines.join("\n")}
${lines.length ? "(globalThis as Record<string, unknown>).kept = m;" : ""}
Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
setTimeout(() => (Bun.gc(true), Bun.shrink()), 1_000).unref();
`;
}

const flags =
  readFileSync(join(ROOT, "Makefile"), "utf8")
    .match(/^COMPILE_FLAGS := (.*)$/m)?.[1]
    ?.split(/\s+/) ?? [];
mkdirSync(DIR, { recursive: true });
const names = Object.keys(LIBRARIES).filter((n) => n === "floor" || PICK.test(n));
const bins = new Map<string, string>();
for (const name of names) {
  const file = name.replace(/[^a-z0-9]+/gi, "_");
  writeFileSync(join(DIR, `${file}.ts`), program(LIBRARIES[name] ?? []));
  const out = join(DIR, file);
  const built = Bun.spawnSync(["scripts/compile.sh", `bench/tmp/library-rss/${file}`, `bench/tmp/library-rss/${file}.ts`, ...flags], {
    cwd: ROOT,
    stderr: "pipe",
  });
  if (built.exitCode !== 0) throw new Error(`${name}: ${built.stderr.toString()}`);
  bins.set(name, out);
}
const rss = new Map<string, number[]>(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of names) {
    const proc = Bun.spawn([bins.get(name) as string], { stdout: "ignore", stderr: "ignore" });
    await Bun.sleep(2_500);
    rss.get(name)?.push(memoryMb(proc.pid).rss_mb);
    proc.kill();
    await proc.exited;
  }
}
// Each program is a whole runtime (~120 MB): left behind, the thirteen would take 1.4 GB.
rmSync(DIR, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const floor = median(rss.get("floor") ?? []);
console.log(`floor (Bun.serve only): ${floor} MB [${rss.get("floor")?.join(" ")}]`);
for (const name of names.filter((n) => n !== "floor")) {
  const values = rss.get(name) ?? [];
  console.log(`${name.padEnd(28)} +${(median(values) - floor).toFixed(1)} MB  (${median(values)} [${values.join(" ")}])`);
}
