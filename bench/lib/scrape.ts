/**
 * The gateway's own counts against the benchmark's: /metrics is scraped before and after a phase,
 * and each series' increase must equal what the benchmark counted itself (HTTP answers by status,
 * 201/202 deliveries, messages written to the server, webhook calls, roster syncs). A mismatch
 * fails the run, as a lost message does.
 */

/** One scrape: series (`name{label="v",...}` as prom-client writes it) -> value. */
export type Samples = Map<string, number>;

interface MetricRow {
  series: string;
  expected: number;
  scraped: number;
  ok: boolean;
}

export interface MetricCheck {
  phase: string;
  rows: MetricRow[];
}

export async function scrape(url: string): Promise<Samples> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  const samples: Samples = new Map();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

/** A series name with its labels in the order the gateway declares them. */
export function series(name: string, labels: Record<string, string | number> = {}): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `${name}{${parts.join(",")}}` : name;
}

/** Each expected series' increase between two scrapes (absent = 0). */
export function compare(phase: string, before: Samples, after: Samples, expected: Record<string, number>): MetricCheck {
  const rows = Object.entries(expected).map(([s, want]) => {
    const scraped = (after.get(s) ?? 0) - (before.get(s) ?? 0);
    return { series: s, expected: want, scraped, ok: scraped === want };
  });
  return { phase, rows };
}

/** HTTP answers of one route by status, as the load generator counted them. */
export function httpByStatus(route: string, method: string, statuses: Record<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [status, n] of Object.entries(statuses)) out[series("stanzagate_http_requests_total", { route, method, status })] = n;
  return out;
}

export const messagesSent = series("stanzagate_stanzas_total", { direction: "sent", kind: "message" });
export const messagesReceived = series("stanzagate_stanzas_total", { direction: "received", kind: "message" });
export const deliveries = (outcome: "sent" | "queued") => series("stanzagate_deliveries_total", { outcome });

export function mismatches(checks: MetricCheck[]): number {
  return checks.reduce((n, c) => n + c.rows.filter((r) => !r.ok).length, 0);
}

export function metricsMarkdown(checks: MetricCheck[]): string {
  const lines = [
    "| phase | series (increase during the phase) | benchmark counted | /metrics says | match |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const c of checks)
    for (const r of c.rows) lines.push(`| ${c.phase} | \`${r.series}\` | ${r.expected} | ${r.scraped} | ${r.ok ? "yes" : "**no**"} |`);
  return lines.join("\n") + "\n";
}
