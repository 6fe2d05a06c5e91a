/**
 * The targets of issues 24 (cost per message) and 7 (roster), checked against a run. Missed speed targets are reported (with what
 * bounds them in the README); a lost or duplicated message fails the run.
 */
import type { Results } from "./report.ts";

export interface Check {
  target: string;
  measured: string;
  ok: boolean;
}

type Row = Record<string, unknown>;
const num = (o: unknown, path: string): number =>
  Number(path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Row)[k] : undefined), o) ?? NaN);

export function checkTargets(r: Results): Check[] {
  const level = (c: number) => ((r.post_msg as Row[] | undefined) ?? []).find((x) => x.concurrency === c);
  const check = (target: string, value: number, ok: (v: number) => boolean, unit: string): Check => ({
    target,
    measured: `${value}${unit}`,
    ok: ok(value),
  });
  const cpu = (target: string, value: number) => check(target, value, (v) => v <= 0.1, " ms");
  return [
    // Issue 24: the gateway's own CPU, from /proc/<pid>/stat around each phase.
    cpu("post_msg c=32 gateway CPU <= 0.10 ms/msg", num(level(32), "gateway_cpu_ms_per_msg")),
    cpu("declarative c=32 gateway CPU <= 0.10 ms/msg", num(r, "declarative.gateway_cpu_ms_per_msg")),
    cpu("component_http gateway CPU <= 0.10 ms/reply", num(r, "component_http.gateway_cpu_ms_per_msg")),
    check("post_msg c=32 >= 50% of the ceiling", num(r, "ceiling.post_msg_c32_share_pct"), (v) => v >= 50, "%"),
    check("post_msg c=256 >= 60% of the ceiling", num(r, "ceiling.post_msg_c256_share_pct"), (v) => v >= 60, "%"),
    check("post_msg c=256 p99 <= 50 ms", num(level(256), "latency.p99_ms"), (v) => v <= 50, " ms"),
    // 2x the 3,955/s of 2026-12-02 (bench/results/latest.md of that day).
    check("component_http >= 7,900 round trips/s", num(r, "component_http.replies_per_s"), (v) => v >= 7900, "/s"),
    check("idle RSS <= 50 MB", num(r, "footprint.idle.rss_mb"), (v) => v <= 50, " MB"),
    check("peak RSS after c=256 <= 90 MB", num(r, "footprint.after_load_256.peak_rss_mb"), (v) => v <= 90, " MB"),
    check("start-up to online <= 100 ms", num(r, "footprint.startup_to_online_ms"), (v) => v <= 100, " ms"),
    // Issue 7.
    check("roster 1,000 x 50 first sync < 10 s", num(r, "roster_admin.first_sync_ms"), (v) => v < 10_000, " ms"),
    check("roster 1,000 x 50 re-sync < 2 s", num(r, "roster_admin.resync_ms"), (v) => v < 2_000, " ms"),
    check("no message lost or duplicated", lostOrDuplicated(r), (v) => v === 0, " lost or duplicated"),
  ];
}

export function lostOrDuplicated(r: Results): number {
  const runs = [...((r.post_msg as Row[] | undefined) ?? []), r.declarative, r.ceiling, r.component_http].filter(Boolean) as Row[];
  const outbox = (r.outbox ?? {}) as Row;
  return (
    runs.reduce((n, x) => n + Number(x.lost ?? 0) + Number(x.duplicates ?? 0), 0) +
    Number(outbox.duplicates ?? 0) +
    (Number(outbox.queued ?? 0) - Number(outbox.delivered ?? 0)) +
    Number((r.muc_kick as Row | undefined)?.failed ?? 0) +
    Number(((r.roster_admin as Row | undefined)?.resync_answer as Row | undefined)?.errors ?? 0)
  );
}

export function checksMarkdown(checks: Check[]): string {
  return (
    [
      "| target | measured | met |",
      "| --- | --- | --- |",
      ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.ok ? "yes" : "**no**"} |`),
    ].join("\n") + "\n"
  );
}
