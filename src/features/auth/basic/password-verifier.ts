/**
 * argon2id verifications for `kind: basic`, with a bound on how many run at once. Each takes
 * 64 MiB and tens to hundreds of ms of CPU with the default cost: the throttle limits guesses per
 * client and scheme, this limits them across all clients, so a flood from many addresses cannot
 * take every core and the memory of a small machine while a valid login waits behind it.
 *
 * The queue is bounded by time, not only by length: a burst of subscribers reconnecting at once
 * (120-200 on a slow 2-core machine at ~160-240 ms per check) once waited past Bun's 10 s idle
 * timeout and got no answer at all. Now a request is admitted only when the checks ahead of it,
 * at the measured time per check, end within WAIT_BUDGET_MS; otherwise, or when it is still
 * queued at that deadline, it gets 503 AUTH_BUSY with a Retry-After at once.
 */
import { GatewayError } from "../../../plugin-api/errors.ts";
import { createLimiter, LimiterTimeout } from "../../../kit/limiter.ts";
import { IDLE_TIMEOUT_S } from "../../../http/server.ts";

export type VerifyPassword = (password: string, hash: string) => Promise<boolean>;

/** Two at once: 128 MiB at most, and cores left for the rest of the gateway (a Pi 4 has four). */
const MAX_ACTIVE = 2;
/** A memory bound on waiters; the time bound below is usually reached first. */
const MAX_QUEUED = 64;
/**
 * Half of Bun's idle timeout (10 s, src/http/server.ts): the wait plus one check (~0.25 s) plus
 * the route's own work stay well inside it.
 */
export const WAIT_BUDGET_MS = (IDLE_TIMEOUT_S * 1000) / 2;
/** Until a check is measured: the slow end seen on a 2-core machine (review, finding 3). */
const FIRST_ESTIMATE_MS = 250;
/** Weight of the newest measurement in the running estimate: follows load within a few checks. */
const EWMA_WEIGHT = 0.3;

export interface VerifierOptions {
  maxActive?: number;
  maxQueued?: number;
  /** How long a request may wait for a free slot, in ms. */
  budgetMs?: number;
  /** The check itself (tests inject a slow one). */
  verify?: VerifyPassword;
  now?: () => number;
}

export function boundedVerifier(options: VerifierOptions = {}): VerifyPassword {
  const { maxActive = MAX_ACTIVE, maxQueued = MAX_QUEUED, budgetMs = WAIT_BUDGET_MS, now = Date.now } = options;
  const verify = options.verify ?? ((password: string, hash: string) => Bun.password.verify(password, hash));
  const limiter = createLimiter(maxActive, maxQueued, now);
  let perCheckMs = FIRST_ESTIMATE_MS;
  let admitted = 0; // running or queued
  // When the checks already admitted (and this one) would end, from now.
  const drainMs = (extra: number) => Math.ceil((admitted + extra) / maxActive) * perCheckMs;
  const busy = () => {
    const seconds = Math.max(1, Math.ceil(drainMs(0) / 1000));
    return new GatewayError("AUTH_BUSY", undefined, { headers: { "retry-after": String(seconds) } });
  };
  const timed = async (password: string, hash: string) => {
    const started = now();
    try {
      return await verify(password, hash);
    } finally {
      perCheckMs += EWMA_WEIGHT * (now() - started - perCheckMs);
    }
  };
  return async function verifyPassword(password, hash) {
    // Its own check ends a full check after its slot frees: the wait alone is what the budget bounds.
    if (drainMs(1) - perCheckMs > budgetMs) throw busy();
    const run = limiter.run(() => timed(password, hash), now() + budgetMs);
    if (!run) throw busy();
    admitted++;
    try {
      return await run;
    } catch (err) {
      throw err instanceof LimiterTimeout ? busy() : err;
    } finally {
      admitted--;
    }
  };
}
