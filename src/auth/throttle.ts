/**
 * Slows down password guessing: past `maxFailures` failed authentications for one key (a client
 * address and an auth scheme, see index.ts) within its window, that key gets 429 until the window
 * ends. Checks still in flight count against the limit too, so a burst of concurrent guesses
 * cannot all start before the first one fails: past the limit, a request waits for a check of its
 * key to end (it may succeed and free its place) and is refused once the failures alone reach it.
 * A burst of valid requests is only paced; a burst of wrong ones gets at most `maxFailures` 401s.
 *
 * Each key keeps its state until its own window ends, whatever other keys do. Memory is bounded:
 * the table holds at most `maxTracked` keys; expired ones are dropped first (all windows have the
 * same length, so insertion order is expiry order and the oldest entries are the first to
 * expire). When every tracked key is still live, a new key is not tracked alone: its failures go
 * to one shared overflow budget until room frees up. We chose sharing over evicting (which let a
 * flood from other addresses clear a guesser's state) and over refusing to track (which gives a
 * flood from many addresses unlimited guesses): during a flood from more than `maxTracked` keys,
 * new keys are throttled together, while the ones tracked before keep exactly their own state.
 * At most `maxWaiting` requests wait at once; past that they get 429 at once.
 */
import { GatewayError } from "../plugin-api/errors.ts";

export interface Throttle {
  /** Seconds until `key` may start a check, or 0 when it may start one now. */
  retryAfter(key: string): number;
  fail(key: string): void;
  /** Runs one check for `key`, counted against its limit while it runs. */
  track<T>(key: string, check: () => Promise<T>): Promise<T>;
  /**
   * Runs `check` for `key` once the limit lets it start (see above), counting a rejection that
   * `isFailure` accepts as a failure; rejects with RATE_LIMITED (429, Retry-After) when refused.
   */
  guard<T>(key: string, check: () => Promise<T>, isFailure: (err: unknown) => boolean): Promise<T>;
  /** Keys currently tracked (tests). */
  size(): number;
}

export interface ThrottleOptions {
  now?: () => number;
  /** Default 10,000 keys (about 1 MB). */
  maxTracked?: number;
  /** Default 1,000 requests waiting for a check of their key to end. */
  maxWaiting?: number;
  /** How long one may wait so, in ms; then 503 AUTH_BUSY. Default MAX_WAIT_MS. */
  maxWaitMs?: number;
}

/**
 * A burst from one address (120 subscribers behind one NAT reconnecting at once) is paced
 * `maxFailures` checks at a time; at ~250 ms per argon2id check the last waited past Bun's 10 s
 * idle timeout and got no answer (subscriptions review, finding 3). This wait, plus the argon2id
 * queue's (5 s, features/auth/basic/password-verifier.ts), plus one check stays under 10 s.
 */
const MAX_WAIT_MS = 2_500;

interface Window {
  count: number;
  resetAt: number;
}

/** The key of the shared budget; no client address and scheme name can make it. */
const OVERFLOW = "*overflow*";

export function createThrottle(maxFailures: number, windowS: number, options: ThrottleOptions = {}): Throttle {
  const { now = Date.now, maxTracked = 10_000, maxWaiting = 1_000, maxWaitMs = MAX_WAIT_MS } = options;
  const failures = new Map<string, Window>();
  const inFlight = new Map<string, number>();
  const waiters = new Map<string, Array<() => void>>();
  let waiting = 0;
  const purgeExpired = () => {
    for (const [key, w] of failures) {
      if (w.resetAt > now()) break;
      failures.delete(key);
    }
  };
  const live = (key: string) => {
    const w = failures.get(key);
    if (w && w.resetAt <= now()) failures.delete(key);
    return failures.get(key);
  };
  /** The key's own window, or the shared one when the table has no room for it. */
  const windowOf = (key: string) => {
    purgeExpired();
    return live(key) ?? (failures.size >= maxTracked ? live(OVERFLOW) : undefined);
  };
  const secondsLeft = (w: Window | undefined) => (w ? Math.max(1, Math.ceil((w.resetAt - now()) / 1000)) : 1);
  const ended = (key: string) => {
    const n = (inFlight.get(key) ?? 1) - 1;
    if (n > 0) inFlight.set(key, n);
    else inFlight.delete(key);
    const woken = waiters.get(key) ?? [];
    waiters.delete(key);
    for (const wake of woken) wake();
  };
  /** True when a check of `key` ended, false when `ms` passed first (the waiter is then dropped). */
  const wakeOrTimeout = (key: string, ms: number) =>
    new Promise<boolean>((resolve) => {
      const queue = waiters.get(key) ?? [];
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          const left = waiters.get(key) ?? [];
          if (left.includes(wake)) left.splice(left.indexOf(wake), 1);
          resolve(false);
        },
        Math.max(0, ms),
      );
      queue.push(wake);
      waiters.set(key, queue);
    });
  const throttle: Throttle = {
    retryAfter(key) {
      const w = windowOf(key);
      return (w?.count ?? 0) + (inFlight.get(key) ?? 0) < maxFailures ? 0 : secondsLeft(w);
    },
    fail(key) {
      purgeExpired();
      const slot = live(key) || failures.size < maxTracked ? key : OVERFLOW;
      const w = live(slot);
      if (w) w.count++;
      else failures.set(slot, { count: 1, resetAt: now() + windowS * 1000 });
    },
    async track(key, check) {
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      try {
        return await check();
      } finally {
        ended(key);
      }
    },
    async guard(key, check, isFailure) {
      const deadline = now() + maxWaitMs;
      for (let wait = throttle.retryAfter(key); wait > 0; wait = throttle.retryAfter(key)) {
        if ((windowOf(key)?.count ?? 0) >= maxFailures || waiting >= maxWaiting) {
          throw new GatewayError("RATE_LIMITED", undefined, { headers: { "retry-after": String(wait) } });
        }
        // Below the limit on failures, so a check of this key is in flight: it will wake us.
        waiting++;
        const woken = await wakeOrTimeout(key, deadline - now());
        waiting--;
        if (!woken) throw new GatewayError("AUTH_BUSY", undefined, { headers: { "retry-after": String(wait) } });
      }
      // `track` and the failure count in one frame: this runs for every authenticated request.
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      try {
        return await check();
      } catch (err) {
        if (isFailure(err)) throttle.fail(key);
        throw err;
      } finally {
        ended(key);
      }
    },
    size: () => failures.size,
  };
  return throttle;
}
