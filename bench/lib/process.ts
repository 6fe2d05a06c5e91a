/** Memory of a process from /proc (Linux): current RSS, its peak (high-water mark), and the split of RSS into anonymous memory (heaps) and pages of mapped files (the executable). */
import { readFileSync } from "node:fs";

export function memoryMb(pid: number): { rss_mb: number; peak_rss_mb: number; anon_mb: number; file_mb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
  const mb = (k: number) => Math.round(k / 102.4) / 10;
  return { rss_mb: mb(kb("VmRSS")), peak_rss_mb: mb(kb("VmHWM")), anon_mb: mb(kb("RssAnon")), file_mb: mb(kb("RssFile") + kb("RssShmem")) };
}
