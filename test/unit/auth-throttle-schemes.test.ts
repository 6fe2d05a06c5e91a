// The throttle as the auth schemes use it: failures count per client address and scheme, a burst
// of concurrent guesses gets at most max_failures answers 401 whatever the scheme, valid bursts are
// paced rather than refused, and argon2id verifications run with a bounded concurrency.
import { describe, expect, test } from "bun:test";
import { createAuthenticator } from "../../src/features/index.ts";
import { createThrottle } from "../../src/auth/throttle.ts";
import { boundedVerifier } from "../../src/features/auth/basic/password-verifier.ts";
import type { AuthScheme } from "../../src/features/index.ts";
import type { Authenticator } from "../../src/auth/types.ts";
import { outcome, tally } from "../helpers/auth-outcome.ts";

const MAX_FAILURES = 10;
const basicHeader = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const withAuth = (authorization: string, headers: Record<string, string> = {}) =>
  new Request("http://x/", { method: "POST", headers: { authorization, ...headers }, body: "{}" });
// A cheap argon2id cost keeps the test light; the bound does not depend on the cost.
const CHEAP = { algorithm: "argon2id", memoryCost: 256, timeCost: 1 } as const;
const HASH = Bun.password.hashSync("right", CHEAP);
const BASIC: AuthScheme = { kind: "basic", realm: "ops", users: { ci: HASH, ops: HASH } };

/** Schemes built as one configuration builds them: one throttle, one argon2id bound. */
function schemes(defs: Record<string, AuthScheme>, verifyPassword = boundedVerifier()): Record<string, Authenticator> {
  const throttle = createThrottle(MAX_FAILURES, 60);
  const deps = { host: "localhost", server: "xmpp://127.0.0.1:5347", throttle, verifyPassword };
  return Object.fromEntries(Object.entries(defs).map(([name, scheme]) => [name, createAuthenticator(name, scheme, deps)]));
}

describe("kind: basic under a burst", () => {
  test("40 concurrent wrong passwords from one address: at most max_failures 401s, the rest 429, and another address logs in", async () => {
    const { ops } = schemes({ ops: BASIC }) as { ops: Authenticator };
    const flood = Array.from({ length: 40 }, (_, i) => outcome(ops.authenticate(withAuth(basicHeader("ci", `guess-${i}`)), "10.6.6.6")));
    const good = outcome(ops.authenticate(withAuth(basicHeader("ops", "right")), "10.0.0.2"));
    const codes = tally(await Promise.all(flood));
    expect(codes).toEqual({ AUTH_FAILED: MAX_FAILURES, RATE_LIMITED: 40 - MAX_FAILURES });
    expect(await good).toBe("ok");
  });

  test("30 concurrent valid logins from one address are all served: checks in flight pace them, none is refused within the 2.5 s wait bound", async () => {
    const { ops } = schemes({ ops: BASIC }) as { ops: Authenticator };
    const burst = Array.from({ length: 30 }, () => outcome(ops.authenticate(withAuth(basicHeader("ci", "right")), "10.0.0.1")));
    expect(tally(await Promise.all(burst))).toEqual({ ok: 30 });
  });

  test("past the bound on argon2id verifications and their queue, a request gets 503 AUTH_BUSY at once; once they drain, the next is served", async () => {
    const { ops } = schemes({ ops: BASIC }, boundedVerifier({ maxActive: 1, maxQueued: 1 })) as { ops: Authenticator };
    const all = Array.from({ length: 3 }, (_, i) => outcome(ops.authenticate(withAuth(basicHeader("ci", "right")), `10.0.0.${i}`)));
    expect(tally(await Promise.all(all))).toEqual({ ok: 2, AUTH_BUSY: 1 });
    expect(await outcome(ops.authenticate(withAuth(basicHeader("ci", "right")), "10.0.0.9"))).toBe("ok");
  });
});

describe("failures count per client address and scheme", () => {
  const GITHUB: AuthScheme = { kind: "hmac", format: "github", secret: "webhook-secret", tolerance_s: 300, max_remembered_ids: 10 };
  const ALERTS: AuthScheme = { kind: "bearer", tokens: [{ token: "alertmanager-token-0123", name: "alertmanager" }] };

  test("10 bad GitHub signatures from one address do not throttle a valid Alertmanager request from it", async () => {
    const { github, alerts } = schemes({ github: GITHUB, alerts: ALERTS }) as { github: Authenticator; alerts: Authenticator };
    const badSignature = () => withAuth("", { "x-hub-signature-256": `sha256=${"0".repeat(64)}` });
    for (let i = 0; i < MAX_FAILURES; i++) expect(await outcome(github.authenticate(badSignature(), "10.0.0.7"))).toBe("AUTH_FAILED");
    expect(await outcome(github.authenticate(badSignature(), "10.0.0.7"))).toBe("RATE_LIMITED");
    expect(await outcome(alerts.authenticate(withAuth("Bearer alertmanager-token-0123"), "10.0.0.7"))).toBe("ok");
  });
});
