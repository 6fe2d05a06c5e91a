/**
 * Slows down password guessing: past `maxFailures` failed authentications from one address within
 * its window, that address gets 429 until the window ends. Checks still in flight count against
 * the limit too, so a burst of concurrent guesses cannot all start before the first one fails.
 *
 * Each address keeps its state until its own window ends, whatever other addresses do. Memory is
 * bounded: the table holds at most `maxTracked` addresses; expired ones are dropped first (all
 * windows have the same length, so insertion order is expiry order and the oldest entries are
 * the first to expire). When every tracked address is still live, a new address is not tracked
 * alone: its failures go to one shared overflow budget until room frees up. We chose sharing over
 * evicting (which let a flood from other addresses clear a guesser's state) and over refusing to
 * track (which gives a flood from many addresses unlimited guesses): during a flood from more
 * than `maxTracked` addresses, new addresses are throttled together, while the ones tracked
 * before keep exactly their own state.
 */
export interface Throttle {
  /** Seconds until `ip` may try again, or 0 when it may try now. */
  retryAfter(ip: string): number;
  fail(ip: string): void;
  /** Runs one check for `ip`, counted against its limit while it runs. */
  track<T>(ip: string, check: () => Promise<T>): Promise<T>;
  /** Addresses currently tracked (tests). */
  size(): number;
}

export interface ThrottleOptions {
  now?: () => number;
  /** Default 10,000 addresses (about 1 MB). */
  maxTracked?: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/** The key of the shared budget; not a valid address, so no client can have it. */
const OVERFLOW = "*overflow*";

export function createThrottle(maxFailures: number, windowS: number, options: ThrottleOptions = {}): Throttle {
  const { now = Date.now, maxTracked = 10_000 } = options;
  const failures = new Map<string, Window>();
  const inFlight = new Map<string, number>();
  const purgeExpired = () => {
    for (const [ip, w] of failures) {
      if (w.resetAt > now()) break;
      failures.delete(ip);
    }
  };
  const live = (key: string) => {
    const w = failures.get(key);
    if (w && w.resetAt <= now()) failures.delete(key);
    return failures.get(key);
  };
  /** The address's own window, or the shared one when the table has no room for it. */
  const windowOf = (ip: string) => live(ip) ?? (failures.size >= maxTracked ? live(OVERFLOW) : undefined);
  return {
    retryAfter(ip) {
      purgeExpired();
      const w = windowOf(ip);
      const pending = inFlight.get(ip) ?? 0;
      if ((w?.count ?? 0) + pending < maxFailures) return 0;
      return w ? Math.max(1, Math.ceil((w.resetAt - now()) / 1000)) : 1;
    },
    fail(ip) {
      purgeExpired();
      const key = live(ip) || failures.size < maxTracked ? ip : OVERFLOW;
      const w = live(key);
      if (w) w.count++;
      else failures.set(key, { count: 1, resetAt: now() + windowS * 1000 });
    },
    async track(ip, check) {
      inFlight.set(ip, (inFlight.get(ip) ?? 0) + 1);
      try {
        return await check();
      } finally {
        const n = (inFlight.get(ip) ?? 1) - 1;
        if (n > 0) inFlight.set(ip, n);
        else inFlight.delete(ip);
      }
    },
    size: () => failures.size,
  };
}
