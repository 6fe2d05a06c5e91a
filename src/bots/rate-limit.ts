/**
 * Commands per sender in a sliding window. Bounded: at most MAX_SENDERS senders are tracked; past
 * that, senders whose window has ended are forgotten first, then the oldest, so a flood of
 * distinct JIDs cannot grow memory.
 */
const MAX_SENDERS = 10_000;

export interface RateLimit {
  /** Counts one command of `sender`; false when the sender is over the limit (not counted). */
  take(sender: string): boolean;
}

export function createRateLimit(commands: number, windowMs: number, now: () => number = Date.now): RateLimit {
  const seen = new Map<string, number[]>();
  const forget = (t: number) => {
    for (const [sender, times] of seen) if ((times.at(-1) ?? 0) <= t - windowMs) seen.delete(sender);
    while (seen.size >= MAX_SENDERS) seen.delete(seen.keys().next().value as string);
  };
  return {
    take(sender) {
      const t = now();
      const recent = (seen.get(sender) ?? []).filter((s) => s > t - windowMs);
      if (recent.length >= commands) return false;
      if (!seen.has(sender) && seen.size >= MAX_SENDERS) forget(t);
      seen.set(sender, [...recent, t]);
      return true;
    },
  };
}
