/**
 * The targets of issue 7, checked against a run. Missed speed targets are reported (with what
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
  const c32 = ((r.post_msg as Row[] | undefined) ?? []).find((x) => x.concurrency === 32);
  const check = (target: string, value: number, ok: (v: number) => boolean, unit: string): Check => ({
    target,
    measured: `${value}${unit}`,
    ok: ok(value),
  });
  return [
    check("post_msg c=32 >= 90% of the ceiling", num(r, "ceiling.post_msg_c32_share_pct"), (v) => v >= 90, "%"),
    check("post_msg c=32 >= 6,000 msg/s", num(c32, "msgs_per_s"), (v) => v >= 6000, " msg/s"),
    check("post_msg c=32 p99 < 25 ms", num(c32, "latency.p99_ms"), (v) => v < 25, " ms"),
    check("component_http >= 3,500 round trips/s", num(r, "component_http.replies_per_s"), (v) => v >= 3500, "/s"),
    check("component_http p99 < 30 ms", num(r, "component_http.latency.p99_ms"), (v) => v < 30, " ms"),
    check("idle RSS < 50 MB", num(r, "footprint.idle.rss_mb"), (v) => v < 50, " MB"),
    check("start-up to online < 300 ms", num(r, "footprint.startup_to_online_ms"), (v) => v < 300, " ms"),
    check("roster 1,000 x 50 first sync < 10 s", num(r, "roster_admin.first_sync_ms"), (v) => v < 10_000, " ms"),
    check("roster 1,000 x 50 re-sync < 2 s", num(r, "roster_admin.resync_ms"), (v) => v < 2_000, " ms"),
    check("no message lost or duplicated", lostOrDuplicated(r), (v) => v === 0, " lost or duplicated"),
  ];
}

export function lostOrDuplicated(r: Results): number {
  const runs = [...((r.post_msg as Row[] | undefined) ?? []), r.ceiling, r.component_http].filter(Boolean) as Row[];
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
