/**
 * Remembers accepted message ids for a while, so a captured request cannot be replayed within
 * its freshness window (Standard Webhooks, "Replay attacks": a consumer should keep the ids it
 * has seen). Every id is kept for the same span, so insertion order is expiry order: expired
 * ids are dropped from the front. Memory is bounded by `max`: past it the oldest id is forgotten
 * first. Only ids of correctly signed requests are remembered, so only the secret's holder can
 * fill the table.
 */
export interface ReplayGuard {
  /** True, and remembers `id`, when it was not seen within the span; false for a replay. */
  firstUse(id: string): boolean;
  size(): number;
}

export function createReplayGuard(max: number, spanMs: number, now: () => number): ReplayGuard {
  const seen = new Map<string, number>();
  const purge = () => {
    for (const [id, expires] of seen) {
      if (expires > now() && seen.size <= max) break;
      seen.delete(id);
    }
  };
  return {
    firstUse(id) {
      purge();
      if (seen.has(id)) return false;
      seen.set(id, now() + spanMs);
      if (seen.size > max) purge();
      return true;
    },
    size: () => seen.size,
  };
}
