/** Results: a JSON file for machines, a markdown table for the README, a short line per step. */
import { cpus, loadavg, release, totalmem } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type Results = Record<string, unknown>;

export function machine(prosodyVersion: string): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    // A shared machine: how busy it was when the run started.
    load_average_1m: Math.round((loadavg()[0] ?? 0) * 10) / 10,
    bun: Bun.version,
    prosody: prosodyVersion,
    date: new Date().toISOString().slice(0, 10),
  };
}

export function progress(step: string, fields: Record<string, unknown>): void {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`);
  console.log(`  ${step.padEnd(34)} ${parts.join("  ")}`);
}

export function write(dir: string, results: Results, markdown: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "latest.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(dir, "latest.md"), markdown);
}
