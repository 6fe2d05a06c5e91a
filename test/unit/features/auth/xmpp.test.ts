// kind: xmpp under load and outages, with an injected PasswordCheck standing in for the SASL
// login: how many logins run, what the throttle counts, what a known user gets while the server
// cannot be reached, and what a 503 body tells the caller.
import { describe, expect, test } from "bun:test";
import type { Database } from "bun:sqlite";
import { createAuthenticator } from "../../../../src/features/index.ts";
import { createThrottle } from "../../../../src/auth/throttle.ts";
import { Value } from "@sinclair/typebox/value";
import { XmppAuthSchema, type XmppAuth } from "../../../../src/features/auth/xmpp/schema.ts";
import type { GatewayError } from "../../../../src/plugin-api/errors.ts";
import { outcome, tally } from "../../../helpers/auth-outcome.ts";
import { openStore } from "../../../../src/store/db.ts";
import { sqliteStore } from "../../../../src/store/sqlite/index.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

type Check = (local: string, domain: string, password: string) => Promise<boolean>;

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const req = (user: string, password: string) => new Request("http://x/", { headers: { authorization: basic(user, password) } });

const SCHEME: XmppAuth = {
  kind: "xmpp",
  realm: "r",
  cache_s: 60,
  timeout_ms: 1_000,
  failure_cache_s: 30,
  max_checks: 8,
  max_queued_checks: 256,
  offline_grace_s: 86_400,
};

function authenticator(
  check: Check,
  opts: { scheme?: Partial<XmppAuth>; maxFailures?: number; store?: Database; online?: () => boolean } = {},
) {
  const throttle = createThrottle(opts.maxFailures ?? 10, 60);
  const scheme = Value.Parse(XmppAuthSchema, { ...SCHEME, ...opts.scheme });
  return createAuthenticator("users", scheme, {
    host: "localhost",
    server: "xmpp://127.0.0.1:5347",
    throttle,
    passwordCheck: check,
    ...(opts.store ? { store: sqliteStore(opts.store) } : {}),
    ...(opts.online ? { linkOnline: opts.online } : {}),
  });
}

/** A check that answers only when released, counting its calls. */
function gatedCheck(answer: (password: string) => boolean | Error) {
  const calls: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const check: Check = async (local, domain, password) => {
    calls.push(`${local}@${domain}`);
    await gate;
    const a = answer(password);
    if (a instanceof Error) throw a;
    return a;
  };
  return { check, calls, release: () => open() };
}

/** The grace hash is written after the answer; wait for its row (bounded). */
async function remembered(store: Database, jid: string): Promise<void> {
  await waitFor(() => store.query("SELECT 1 FROM auth_grace WHERE jid = ?").get(jid), 5_000, `a grace row for ${jid}`, undefined, 10);
}

describe("one login per credential in flight", () => {
  test("32 concurrent requests with the same fresh credentials start one login and all succeed", async () => {
    const { check, calls, release } = gatedCheck((p) => p === "pw");
    const auth = authenticator(check);
    const all = Array.from({ length: 32 }, () => outcome(auth.authenticate(req("alice", "pw"), "10.0.0.1")));
    release();
    expect(tally(await Promise.all(all))).toEqual({ ok: 32 });
    expect(calls).toEqual(["alice@localhost"]);
  });

  test("a wrong password is remembered briefly: asking again does not start another login", async () => {
    const { check, calls, release } = gatedCheck(() => false);
    release();
    const auth = authenticator(check, { maxFailures: 100 });
    expect(await outcome(auth.authenticate(req("alice", "nope"), "10.0.0.1"))).toBe("AUTH_FAILED");
    expect(await outcome(auth.authenticate(req("alice", "nope"), "10.0.0.2"))).toBe("AUTH_FAILED");
    expect(calls).toHaveLength(1);
  });
});

describe("password floods", () => {
  test("50 concurrent wrong passwords from one address: throttled 429s, and another address is still served", async () => {
    const { check, calls, release } = gatedCheck((p) => p === "right");
    const auth = authenticator(check, { maxFailures: 10 });
    const flood = Array.from({ length: 50 }, (_, i) => outcome(auth.authenticate(req("alice", `guess-${i}`), "10.6.6.6")));
    const good = outcome(auth.authenticate(req("bob", "right"), "10.0.0.2"));
    release();
    const codes = tally(await Promise.all(flood));
    expect(codes.RATE_LIMITED).toBeGreaterThanOrEqual(40);
    expect(codes.AUTH_FAILED ?? 0).toBeLessThanOrEqual(10);
    expect(await good).toBe("ok");
    expect(calls.length).toBeLessThanOrEqual(11);
  });

  test("checks that time out count as failures: the address is throttled after max_failures", async () => {
    const auth = authenticator(() => new Promise<boolean>(() => {}), { maxFailures: 3, scheme: { timeout_ms: 100, offline_grace_s: 0 } });
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(await outcome(auth.authenticate(req("alice", `guess-${i}`), "10.6.6.6")));
    expect(codes).toEqual(["AUTH_UNAVAILABLE", "AUTH_UNAVAILABLE", "AUTH_UNAVAILABLE", "RATE_LIMITED", "RATE_LIMITED"]);
  });

  test("past the bound on concurrent checks and the queue, a request gets a clear 503", async () => {
    const { check, release } = gatedCheck(() => true);
    const auth = authenticator(check, { maxFailures: 1_000, scheme: { max_checks: 2, max_queued_checks: 3 } });
    const all = Array.from({ length: 8 }, (_, i) => outcome(auth.authenticate(req(`user${i}`, "pw"), `10.0.0.${i}`)));
    release();
    expect(tally(await Promise.all(all))).toEqual({ ok: 5, AUTH_BUSY: 3 });
  });
});

describe("when the server cannot be reached", () => {
  const unreachable = () => new Error("connect ECONNREFUSED 127.0.0.1:5222");

  test("a 503 says why in a sentence and never shows the server's address", async () => {
    const auth = authenticator(async () => {
      throw unreachable();
    });
    const err = (await auth.authenticate(req("alice", "pw"), "10.0.0.1").catch((e: unknown) => e)) as GatewayError;
    expect(err.status).toBe(503);
    const body = JSON.stringify({ error: err.message, ...err.details });
    expect(body).not.toContain("127.0.0.1");
    expect(body).not.toContain("ECONNREFUSED");
  });

  test("a credential valid within offline_grace_s still authenticates, across a restart, and a wrong one does not", async () => {
    let up = true;
    const check: Check = async (_l, _d, p) => {
      if (!up) throw unreachable();
      return p === "pw";
    };
    const store = openStore(":memory:");
    const scheme = { cache_s: 0, offline_grace_s: 3_600 };
    expect(await outcome(authenticator(check, { store, scheme }).authenticate(req("alice", "pw"), "10.0.0.1"))).toBe("ok");
    await remembered(store, "alice@localhost");
    up = false;
    const restarted = authenticator(check, { store, scheme, online: () => false });
    expect(await outcome(restarted.authenticate(req("alice", "pw"), "10.0.0.1"))).toBe("ok");
    expect(await outcome(restarted.authenticate(req("alice", "other"), "10.0.0.1"))).toBe("AUTH_UNAVAILABLE");
    expect(await outcome(restarted.authenticate(req("bob", "pw"), "10.0.0.1"))).toBe("AUTH_UNAVAILABLE");
    const row = JSON.stringify(store.query("SELECT * FROM auth_grace").all());
    expect(row).not.toContain('"pw"');
    store.close();
  });

  test("past offline_grace_s the credential is no longer accepted without the server", async () => {
    let up = true;
    const check: Check = async () => {
      if (!up) throw unreachable();
      return true;
    };
    const store = openStore(":memory:");
    expect(
      await outcome(authenticator(check, { store, scheme: { cache_s: 0, offline_grace_s: 1 } }).authenticate(req("alice", "pw"), "1")),
    ).toBe("ok");
    await remembered(store, "alice@localhost");
    store.run("UPDATE auth_grace SET valid_at = valid_at - 2000");
    up = false;
    expect(
      await outcome(authenticator(check, { store, scheme: { cache_s: 0, offline_grace_s: 1 } }).authenticate(req("alice", "pw"), "1")),
    ).toBe("AUTH_UNAVAILABLE");
    store.close();
  });
});
