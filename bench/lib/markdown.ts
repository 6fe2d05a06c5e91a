/** The markdown table README.md quotes, from the results JSON. */
import type { Results } from "./report.ts";

type Row = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Row)[k] : undefined), o);
const fmt = (v: unknown) => (v === undefined ? "n/a" : typeof v === "number" ? v.toLocaleString("en-US") : String(v));

export function markdown(r: Results): string {
  const m = r.machine as Row;
  const lines = [
    `Measured ${m.date} on ${m.cores} cores (${m.cpu}), ${m.memory_gb} GB, Linux ${m.kernel ?? "?"} (load average ${m.load_average_1m ?? "?"} at the start), Bun ${m.bun}, Prosody ${m.prosody}; ${fmt(r.messages_per_level)} messages per level, all on 127.0.0.1.`,
    "",
    "| measure | result |",
    "| --- | --- |",
  ];
  for (const run of (r.post_msg as Row[] | undefined) ?? []) {
    lines.push(
      `| post_msg, concurrency ${run.concurrency} | ${fmt(run.msgs_per_s)} msg/s, ${fmt(run.gateway_cpu_ms_per_msg)} ms gateway CPU/msg, p50 ${fmt(get(run, "latency.p50_ms"))} ms, p99 ${fmt(get(run, "latency.p99_ms"))} ms; lost ${fmt(run.lost)}, duplicated ${fmt(run.duplicates)} |`,
    );
    lines.push(
      `| post_msg, concurrency ${run.concurrency}: first ${fmt(get(run, "first_requests.count"))} requests, cold credential cache after a restart | answered in p50 ${fmt(get(run, "first_requests.p50_ms"))} ms, max ${fmt(get(run, "first_requests.max_ms"))} ms; statuses ${JSON.stringify(get(run, "first_requests.statuses") ?? {})} |`,
    );
  }
  if (r.declarative)
    lines.push(
      `| declarative route, concurrency 32 | ${fmt(get(r, "declarative.msgs_per_s"))} msg/s, ${fmt(get(r, "declarative.gateway_cpu_ms_per_msg"))} ms gateway CPU/msg, p50 ${fmt(get(r, "declarative.latency.p50_ms"))} ms, p99 ${fmt(get(r, "declarative.latency.p99_ms"))} ms; lost ${fmt(get(r, "declarative.lost"))}, duplicated ${fmt(get(r, "declarative.duplicates"))} |`,
    );
  lines.push(
    `| ceiling: bare component straight to Prosody | ${fmt(get(r, "ceiling.msgs_per_s"))} msg/s; of it: post_msg c=32 ${fmt(get(r, "ceiling.post_msg_c32_share_pct"))}%, c=256 ${fmt(get(r, "ceiling.post_msg_c256_share_pct"))}%, declarative c=32 ${fmt(get(r, "ceiling.declarative_c32_share_pct"))}% |`,
  );
  if (r.component_http)
    lines.push(
      `| component_http round trips | ${fmt(get(r, "component_http.replies_per_s"))} replies/s, ${fmt(get(r, "component_http.gateway_cpu_ms_per_msg"))} ms gateway CPU/reply, p50 ${fmt(get(r, "component_http.latency.p50_ms"))} ms, p99 ${fmt(get(r, "component_http.latency.p99_ms"))} ms; lost ${fmt(get(r, "component_http.lost"))} |`,
    );
  if (r.muc_kick)
    lines.push(
      `| muc_kick | ${fmt(get(r, "muc_kick.kicks_per_s"))} kicks/s (${fmt(get(r, "muc_kick.kicks"))} kicks, ${fmt(get(r, "muc_kick.failed"))} failed) |`,
    );
  if (r.roster_admin)
    lines.push(
      `| roster_admin, ${fmt(get(r, "roster_admin.users"))} users x ${fmt(get(r, "roster_admin.contacts"))} contacts | first sync ${fmt(get(r, "roster_admin.first_sync_ms"))} ms, no-change re-sync ${fmt(get(r, "roster_admin.resync_ms"))} ms |`,
    );
  lines.push(
    `| binary size | ${fmt(get(r, "footprint.binary_mb"))} MB |`,
    `| start-up to component online | ${fmt(get(r, "footprint.startup_to_online_ms"))} ms |`,
    `| idle RSS | ${fmt(get(r, "footprint.idle.rss_mb"))} MB |`,
    `| peak RSS after load at concurrency 1 / 256 / after all runs | ${fmt(get(r, "footprint.after_load_1.peak_rss_mb"))} MB / ${fmt(get(r, "footprint.after_load_256.peak_rss_mb"))} MB / ${fmt(get(r, "footprint.peak.peak_rss_mb"))} MB |`,
    `| outbox: accepted while the server is down | ${fmt(get(r, "outbox.accept_per_s"))} msg/s (${fmt(get(r, "outbox.queued"))} queued) |`,
    `| outbox: drain of the queue after the server returns | ${fmt(get(r, "outbox.drain_ms"))} ms; delivered ${fmt(get(r, "outbox.delivered"))}, duplicated ${fmt(get(r, "outbox.duplicates"))} |`,
  );
  lines.push("", ...cpuSplit(r, Number(m.cores) || 1));
  return lines.join("\n") + "\n";
}

/**
 * Where the machine's CPU went in each delivery phase: the gateway, Prosody and the benchmark
 * itself share the cores, so their sum per message bounds the rate a phase can reach here.
 */
function cpuSplit(r: Results, cores: number): string[] {
  const phases: Array<[string, unknown]> = [
    ...((r.post_msg as Row[] | undefined) ?? []).map((run): [string, unknown] => [`post_msg c=${run.concurrency}`, run]),
    ["declarative c=32", r.declarative],
    ["ceiling: bare component (in the benchmark)", r.ceiling],
    ["component_http", r.component_http],
  ];
  const lines = [
    `CPU per message of each process (ms; the three share ${cores} cores, so ${cores * 1000} ms / their sum bounds the rate):`,
    "",
    "| phase | gateway | Prosody | benchmark (load, webhooks, bob) | sum | rate the sum allows | measured |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [name, run] of phases) {
    if (!run) continue;
    const parts = ["gateway_cpu_ms_per_msg", "server_cpu_ms_per_msg", "bench_cpu_ms_per_msg"].map((k) => get(run, k));
    const sum = parts.reduce<number>((total, v) => total + (typeof v === "number" ? v : 0), 0);
    const gateway = name.startsWith("ceiling") ? "(idle)" : fmt(parts[0]);
    const rate = get(run, "msgs_per_s") ?? get(run, "replies_per_s");
    lines.push(
      `| ${name} | ${gateway} | ${fmt(parts[1])} | ${fmt(parts[2])} | ${fmt(Math.round(sum * 1000) / 1000)} | ${sum > 0 ? fmt(Math.round((cores * 1000) / sum)) : "n/a"}/s | ${fmt(rate)}/s |`,
    );
  }
  return lines;
}
