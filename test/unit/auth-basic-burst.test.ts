// Finding 3 of the subscriptions review: 120-200 Basic-auth subscribers reconnecting at once on a
// slow 2-core machine (~200 ms per argon2id check) waited in the verification queue past Bun's
// 10 s idle timeout and got no answer. Every request must now get one within the wait budget:
// its check, or 503 AUTH_BUSY with a Retry-After. Time here is a fake clock the test moves.
import { describe, expect, test } from "bun:test";
import { boundedVerifier, WAIT_BUDGET_MS } from "../../src/features/auth/basic/password-verifier.ts";
import { GatewayError } from "../../src/plugin-api/errors.ts";
import { createThrottle } from "../../src/auth/throttle.ts";

const CHECK_MS = 200;
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A check that takes CHECK_MS of the fake clock: it ends when the test calls `tick`. */
function slowChecks() {
  let clock = 0;
  const running: Array<(ok: boolean) => void> = [];
  const verify = () => new Promise<boolean>((resolve) => running.push(resolve));
  const tick = () => {
    clock += CHECK_MS;
    for (const end of running.splice(0)) end(true);
  };
  return { verify, tick, now: () => clock, running };
}

interface Answer {
  code: string;
  at: number;
  retryAfter?: string | null;
}

async function answer(attempt: Promise<boolean>, now: () => number): Promise<Answer> {
  try {
    await attempt;
    return { code: "ok", at: now() };
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return { code: err.code, at: now(), retryAfter: new Headers(err.headers).get("retry-after") };
  }
}

describe("kind: basic, 150 subscribers reconnecting at once with slow argon2id checks", () => {
  test("every one is answered within the wait budget plus one check: verified, or 503 AUTH_BUSY with Retry-After", async () => {
    const slow = slowChecks();
    const verifyPassword = boundedVerifier({ verify: slow.verify, now: slow.now });
    const answers = Array.from({ length: 150 }, () => answer(verifyPassword("hello", "hash"), slow.now));
    await flush();
    while (slow.running.length > 0) {
      slow.tick();
      await flush();
    }
    const all = await Promise.all(answers);
    const verified = all.filter((a) => a.code === "ok");
    const busy = all.filter((a) => a.code !== "ok");
    expect(verified.length).toBeGreaterThan(0);
    expect(busy.length).toBeGreaterThan(0);
    for (const a of verified) expect(a.at).toBeLessThanOrEqual(WAIT_BUDGET_MS + CHECK_MS);
    for (const a of busy) {
      expect(a.code).toBe("AUTH_BUSY");
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
  });

  test("a request still queued when the budget runs out (checks slower than measured) gets AUTH_BUSY, not silence", async () => {
    const ends: Array<(ok: boolean) => void> = [];
    const hanging = () => new Promise<boolean>((resolve) => ends.push(resolve));
    const verifyPassword = boundedVerifier({ maxActive: 1, budgetMs: 300, verify: hanging });
    const first = answer(verifyPassword("hello", "hash"), Date.now);
    const second = answer(verifyPassword("hello", "hash"), Date.now);
    expect((await second).code).toBe("AUTH_BUSY");
    for (const end of ends) end(true);
    expect((await first).code).toBe("ok");
  });
});

describe("a burst from one address, paced by the throttle", () => {
  test("a request waiting for its address's checks in flight past the wait bound gets AUTH_BUSY, not silence", async () => {
    const throttle = createThrottle(1, 60, { maxWaitMs: 50 });
    let end: (ok: boolean) => void = () => {};
    const hanging = () => new Promise<boolean>((resolve) => (end = resolve));
    const first = answer(
      throttle.guard("127.0.0.1 users", hanging, () => false),
      Date.now,
    );
    const second = await answer(
      throttle.guard("127.0.0.1 users", hanging, () => false),
      Date.now,
    );
    expect(second.code).toBe("AUTH_BUSY");
    expect(Number(second.retryAfter)).toBeGreaterThanOrEqual(1);
    end(true);
    expect((await first).code).toBe("ok");
  });
});
