// The footprint of build variants: binary size, start-up to "component online" and idle RSS,
// each variant started `rounds` times (round-robin, so the machine's noise spreads evenly) with
// each routes.yaml given (the benchmark's four plugins, one declarative route). Figures are
// medians with the range [min-max], RSS split into anonymous memory and pages of mapped files.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BuildConfig } from "bun";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { freePort } from "../../testbed/ports.ts";
import { binarySizeMb, startBenchGateway } from "../lib/gateway.ts";
import { memoryMb } from "../lib/process.ts";

export interface Variant {
  name: string;
  /** Bun.build options over `bun build src/main.ts --compile`. */
  build: Partial<BuildConfig>;
  /** Compile options (jitPolicy, execArgv, bytecodeOrder). */
  compile?: Record<string, unknown>;
  entry?: string;
  /** The routes.yaml files (by name) it can start with; all when absent. */
  configs?: string[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface VariantFigures {
  variant: string;
  binary_mb: number;
  configs: Record<string, { startup_ms: Spread; rss_mb: Spread; anon_mb: Spread; file_mb: Spread }>;
}

const ROOT = join(import.meta.dir, "../..");
/** After start-up the gateway collects garbage once, 1 s in (src/main.ts); read RSS after it. */
const SETTLE_MS = 2_500;

export async function buildVariant(variant: Variant, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, variant.name.replace(/[^a-z0-9]+/gi, "_"));
  // FOOTPRINT_REUSE=1 starts the executables of an earlier run again (same source only).
  if (process.env.FOOTPRINT_REUSE === "1" && existsSync(outfile)) return outfile;
  const r = await Bun.build({
    entrypoints: [variant.entry ?? join(ROOT, "src/main.ts")],
    target: "bun",
    ...variant.build,
    compile: { outfile, ...variant.compile },
  } as BuildConfig);
  if (!r.success) throw new Error(`build of ${variant.name} failed:\n${r.logs.join("\n")}`);
  return outfile;
}

export async function footprintRun(
  prosody: XmppServer,
  variants: Variant[],
  configs: Record<string, string>,
  rounds: number,
  dir: string,
): Promise<VariantFigures[]> {
  const bins: string[] = [];
  for (const v of variants) bins.push(await buildVariant(v, dir));
  type Samples = { startup: number[]; rss: number[]; anon: number[]; file: number[] };
  const samples = variants.map(() =>
    Object.fromEntries(Object.keys(configs).map((c) => [c, { startup: [], rss: [], anon: [], file: [] } as Samples])),
  );
  for (let round = 0; round < rounds; round++) {
    for (const [i, bin] of bins.entries()) {
      for (const [name, routes] of Object.entries(configs)) {
        if (variants[i]!.configs && !variants[i]!.configs.includes(name)) continue;
        const gw = await startBenchGateway(prosody, await freePort(), routes, undefined, bin);
        await Bun.sleep(SETTLE_MS);
        const s = samples[i]![name]!;
        const m = memoryMb(gw.proc.pid);
        s.startup.push(gw.startup_ms);
        s.rss.push(m.rss_mb);
        s.anon.push(m.anon_mb);
        s.file.push(m.file_mb);
        await gw.stop();
      }
    }
  }
  return variants.map((v, i) => ({
    variant: v.name,
    binary_mb: binarySizeMb(bins[i]),
    configs: Object.fromEntries(
      Object.entries(samples[i]!)
        .filter(([, s]) => s.rss.length > 0)
        .map(([c, s]) => [c, { startup_ms: spread(s.startup), rss_mb: spread(s.rss), anon_mb: spread(s.anon), file_mb: spread(s.file) }]),
    ),
  }));
}

function spread(xs: number[]): Spread {
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

export const fmt = (s: Spread, unit: string) => `${s.median}${unit} [${s.min}-${s.max}]`;
