/** Latency summaries: percentiles over recorded samples (milliseconds). */
export interface Summary {
  count: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

export function summarize(samples: number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { count: sorted.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: round(sorted[sorted.length - 1] ?? 0) };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
