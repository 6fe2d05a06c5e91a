/** Memory of a process from /proc (Linux): current RSS, its peak (high-water mark), and the split of RSS into anonymous memory (heaps) and pages of mapped files (the executable). */
import { readFileSync } from "node:fs";

export function memoryMb(pid: number): { rss_mb: number; peak_rss_mb: number; anon_mb: number; file_mb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
  const mb = (k: number) => Math.round(k / 102.4) / 10;
  return { rss_mb: mb(kb("VmRSS")), peak_rss_mb: mb(kb("VmHWM")), anon_mb: mb(kb("RssAnon")), file_mb: mb(kb("RssFile") + kb("RssShmem")) };
}

/** CPU time a process has used so far (user + system), in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces), closed by the last ")": utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** What each process on the machine spent during a phase, per message (ms of CPU). */
export interface CpuPerMessage {
  /** The gateway (every thread: JIT, GC and I/O included): what issue 24's goals are about. */
  gateway_cpu_ms_per_msg: number;
  /** The XMPP server, when its pid was given: Prosody is one thread, so this also bounds its rate. */
  server_cpu_ms_per_msg?: number;
  /** The benchmark itself: the load it sends, the webhooks it answers, bob's thread. */
  bench_cpu_ms_per_msg: number;
}

/**
 * Runs `run` and adds the CPU time each process spent meanwhile, per message `count(result)` says
 * was handled: the gateway `pid`, the server `serverPid`, and this process. The three share the
 * machine's cores: their sum per message bounds the rate any phase can reach here.
 */
export async function withCpu<T extends object>(
  pid: number,
  run: () => Promise<T>,
  count: (result: T) => number,
  serverPid?: number | null,
): Promise<T & CpuPerMessage> {
  const spent = (of: number) => {
    const before = cpuSeconds(of);
    return () => cpuSeconds(of) - before;
  };
  const gateway = spent(pid);
  const server = serverPid ? spent(serverPid) : undefined;
  const bench = spent(process.pid);
  const result = await run();
  const perMessage = (seconds: number) => Math.round(((seconds * 1000) / Math.max(1, count(result))) * 1000) / 1000;
  return {
    ...result,
    gateway_cpu_ms_per_msg: perMessage(gateway()),
    ...(server ? { server_cpu_ms_per_msg: perMessage(server()) } : {}),
    bench_cpu_ms_per_msg: perMessage(bench()),
  };
}
