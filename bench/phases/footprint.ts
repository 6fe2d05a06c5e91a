// The footprint of build variants: binary size, start-up to "component online" and idle RSS,
// each variant started `rounds` times (round-robin, so the machine's noise spreads evenly) with
// two routes.yaml files: the benchmark's (all four plugins, `xmpp` auth) and one declarative route.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Prosody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import { binarySizeMb, startBenchGateway } from "../lib/gateway.ts";
import { memoryMb } from "../lib/process.ts";

export interface Variant {
  name: string;
  /** `bun build` flags after `--compile`. */
  flags: string[];
}

export interface VariantFigures {
  variant: string;
  binary_mb: number;
  /** Medians over the rounds, per routes.yaml. */
  configs: Record<string, { startup_ms: number; idle_rss_mb: number }>;
}

const ROOT = join(import.meta.dir, "../..");
/** After start-up the gateway collects garbage once, 1 s in (src/main.ts); read RSS after it. */
const SETTLE_MS = 2_500;

export function buildVariant(variant: Variant, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, variant.name.replace(/[^a-z0-9]+/gi, "_"));
  const r = Bun.spawnSync([join(ROOT, "node_modules/.bin/bun"), "build", join(ROOT, "src/main.ts"), "--compile", ...variant.flags, "--outfile", out], { cwd: ROOT });
  if (r.exitCode !== 0) throw new Error(`build of ${variant.name} failed:\n${r.stderr.toString()}`);
  return out;
}

export async function footprintRun(prosody: Prosody, variants: Variant[], configs: Record<string, string>, rounds: number, dir: string): Promise<VariantFigures[]> {
  const bins = variants.map((v) => buildVariant(v, dir));
  const samples = variants.map(() => Object.fromEntries(Object.keys(configs).map((c) => [c, { startup: [] as number[], rss: [] as number[] }])));
  for (let round = 0; round < rounds; round++) {
    for (const [i, bin] of bins.entries()) {
      for (const [name, routes] of Object.entries(configs)) {
        const gw = await startBenchGateway(prosody, await freePort(), routes, undefined, bin);
        await Bun.sleep(SETTLE_MS);
        const s = samples[i]![name]!;
        s.startup.push(gw.startup_ms);
        s.rss.push(memoryMb(gw.proc.pid).rss_mb);
        await gw.stop();
      }
    }
  }
  return variants.map((v, i) => ({
    variant: v.name,
    binary_mb: binarySizeMb(bins[i]),
    configs: Object.fromEntries(Object.entries(samples[i]!).map(([c, s]) => [c, { startup_ms: median(s.startup), idle_rss_mb: median(s.rss) }])),
  }));
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
