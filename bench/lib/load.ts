/**
 * A closed-loop load generator: `concurrency` workers each send one request, wait for its answer,
 * and send the next, until `total` requests were sent or the time bound passed.
 */
export interface LoadResult {
  sent: number;
  failed: number;
  statuses: Record<number, number>;
  /** seq -> when its request started (performance.now()). */
  started: Map<number, number>;
  /** seq -> when its answer's status arrived (performance.now()), and that status. */
  answered: Map<number, { at: number; status: number }>;
  elapsed_ms: number;
}

export async function runLoad(
  total: number,
  concurrency: number,
  maxMs: number,
  request: (seq: number) => Promise<Response>,
): Promise<LoadResult> {
  const started = new Map<number, number>();
  const answered = new Map<number, { at: number; status: number }>();
  const statuses: Record<number, number> = {};
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + maxMs;
  const worker = async () => {
    while (next < total && performance.now() < deadline) {
      const seq = next++;
      started.set(seq, performance.now());
      try {
        const res = await request(seq);
        answered.set(seq, { at: performance.now(), status: res.status });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        await res.arrayBuffer();
        if (res.status >= 300) failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sent: next, failed, statuses, started, answered, elapsed_ms: performance.now() - t0 };
}
