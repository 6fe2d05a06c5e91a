/**
 * Slows down password guessing: past `maxFailures` failed authentications from one address within
 * the window, that address gets 429 until the window ends. Memory is bounded: the oldest
 * addresses are forgotten first.
 */
export interface Throttle {
  /** Seconds until `ip` may try again, or 0 when it may try now. */
  retryAfter(ip: string): number;
  fail(ip: string): void;
}

const MAX_TRACKED = 10_000;

export function createThrottle(maxFailures: number, windowS: number, now: () => number = Date.now): Throttle {
  const failures = new Map<string, { count: number; resetAt: number }>();
  const current = (ip: string) => {
    const f = failures.get(ip);
    if (f && f.resetAt <= now()) failures.delete(ip);
    return failures.get(ip);
  };
  return {
    retryAfter(ip) {
      const f = current(ip);
      return f && f.count >= maxFailures ? Math.ceil((f.resetAt - now()) / 1000) : 0;
    },
    fail(ip) {
      const f = current(ip) ?? { count: 0, resetAt: now() + windowS * 1000 };
      f.count++;
      failures.delete(ip);
      failures.set(ip, f);
      if (failures.size > MAX_TRACKED) failures.delete(failures.keys().next().value as string);
    },
  };
}
