/**
 * argon2id verifications for `kind: basic`, with a bound on how many run at once. Each takes
 * 64 MiB and tens of ms of CPU with the default cost: the throttle limits guesses per client and
 * scheme, this limits them across all clients, so a flood from many addresses cannot take every
 * core and the memory of a small machine while a valid login waits behind it. Past the queue a
 * request gets 503 AUTH_BUSY at once instead of waiting without bound.
 */
import { GatewayError } from "../../../plugin-api/errors.ts";
import { createLimiter } from "../../../kit/limiter.ts";

export type VerifyPassword = (password: string, hash: string) => Promise<boolean>;

/** Two at once: 128 MiB at most, and cores left for the rest of the gateway (a Pi 4 has four). */
const MAX_ACTIVE = 2;
/** Tens of ms each, two at a time: a full queue is about a second of work. */
const MAX_QUEUED = 64;

export function boundedVerifier(maxActive = MAX_ACTIVE, maxQueued = MAX_QUEUED): VerifyPassword {
  const limiter = createLimiter(maxActive, maxQueued);
  return async function verifyPassword(password, hash) {
    const run = limiter.run(() => Bun.password.verify(password, hash));
    if (!run) throw new GatewayError("AUTH_BUSY", undefined, { headers: { "retry-after": "1" } });
    return run;
  };
}
