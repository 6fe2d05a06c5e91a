/**
 * Commands per sender in a sliding window. Bounded: at most MAX_SENDERS senders are tracked; past
 * that, senders whose window has ended are forgotten first, then the oldest, so a flood of
 * distinct JIDs cannot grow memory.
 */
const MAX_SENDERS = 10_000;

export interface RateLimit {
  /** Counts one command of `sender`; false when the sender is over the limit (not counted). */
  take(sender: string): boolean;
  /**
   * Whether a sender over the limit is told so: once per window, then nothing until a window has
   * passed since. A notice answered by another bot (or echoed by a relay) is one more message over
   * the limit: answering each would make every loop through the server endless.
   */
  notice(sender: string): boolean;
}

interface Sender {
  times: number[];
  noticed: number;
}

export function createRateLimit(commands: number, windowMs: number, now: () => number = Date.now): RateLimit {
  const seen = new Map<string, Sender>();
  const forget = (t: number) => {
    for (const [sender, s] of seen) if (Math.max(s.times.at(-1) ?? 0, s.noticed) <= t - windowMs) seen.delete(sender);
    while (seen.size >= MAX_SENDERS) seen.delete(seen.keys().next().value as string);
  };
  const entry = (sender: string, t: number): Sender => {
    const known = seen.get(sender);
    if (known) return known;
    if (seen.size >= MAX_SENDERS) forget(t);
    const fresh = { times: [], noticed: -Infinity };
    seen.set(sender, fresh);
    return fresh;
  };
  return {
    take(sender) {
      const t = now();
      const s = entry(sender, t);
      s.times = s.times.filter((at) => at > t - windowMs);
      if (s.times.length >= commands) return false;
      s.times.push(t);
      return true;
    },
    notice(sender) {
      const t = now();
      const s = entry(sender, t);
      if (s.noticed > t - windowMs) return false;
      s.noticed = t;
      return true;
    },
  };
}
