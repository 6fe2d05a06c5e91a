/** Memory of a process from /proc (Linux): current RSS and its peak (high-water mark). */
import { readFileSync } from "node:fs";

export function memoryMb(pid: number): { rss_mb: number; peak_rss_mb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
  return { rss_mb: Math.round(kb("VmRSS") / 102.4) / 10, peak_rss_mb: Math.round(kb("VmHWM") / 102.4) / 10 };
}
