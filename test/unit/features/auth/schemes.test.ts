import { describe, expect, test } from "bun:test";
import { createAuthenticator } from "../../../../src/features/index.ts";
import { createThrottle } from "../../../../src/auth/throttle.ts";
import { mayAddress } from "../../../../src/kit/auth.ts";
import type { AuthScheme } from "../../../../src/features/index.ts";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import { outcome as code } from "../../../helpers/auth-outcome.ts";

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const req = (authorization?: string) => new Request("http://x/", { headers: authorization ? { authorization } : {} });

function authenticator(scheme: AuthScheme, passwordCheck?: (l: string, d: string, p: string) => Promise<boolean>) {
  const throttle = createThrottle(3, 60);
  return createAuthenticator("s", scheme, {
    host: "localhost",
    server: "xmpp://127.0.0.1:5347",
    throttle,
    ...(passwordCheck ? { passwordCheck } : {}),
  });
}

describe("header scheme", () => {
  const auth = authenticator({ kind: "header", value: "Basic YWxhZGRpbjpvcGVuc2VzYW1l" });
  test("accepts exactly the configured value", async () => {
    expect(await auth.authenticate(req("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), "1")).toEqual({ scheme: "s", name: "s" });
  });
  test("refuses another value and a missing header", async () => {
    expect(await code(auth.authenticate(req("Basic YWxhZGRpbjpvcGVuc2VzYW1M"), "2"))).toBe("AUTH_FAILED");
    expect(await code(auth.authenticate(req(), "2"))).toBe("AUTH_REQUIRED");
  });
});

describe("basic scheme (argon2id)", () => {
  const hash = Bun.password.hashSync("s3cret", { algorithm: "argon2id" });
  const auth = authenticator({ kind: "basic", realm: "ops", users: { ci: hash, "alice@example.com": hash } });
  test("accepts a listed user with the right password and gives a JID", async () => {
    expect(await auth.authenticate(req(basic("ci", "s3cret")), "1")).toEqual({ scheme: "s", name: "ci", jid: "ci@localhost" });
    expect((await auth.authenticate(req(basic("alice@example.com", "s3cret")), "1")).jid).toBe("alice@example.com");
  });
  test("refuses a wrong password and an unknown user with a challenge", async () => {
    const err = await auth.authenticate(req(basic("ci", "nope")), "2").catch((e: GatewayError) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).headers["www-authenticate"]).toBe('Basic realm="ops"');
    expect(await code(auth.authenticate(req(basic("mallory", "s3cret")), "2"))).toBe("AUTH_FAILED");
  });
});

describe("bearer scheme", () => {
  const auth = authenticator({
    kind: "bearer",
    tokens: [{ token: "t".repeat(20), name: "ci", allow: ["*@localhost", "ops@muc.localhost"] }],
  });
  test("accepts the token and carries its allow list", async () => {
    const id = await auth.authenticate(req(`Bearer ${"t".repeat(20)}`), "1");
    expect(id.name).toBe("ci");
    expect(mayAddress(id, "bob@localhost/phone")).toBe(true);
    expect(mayAddress(id, "ops@muc.localhost")).toBe(true);
    expect(mayAddress(id, "eve@elsewhere.example")).toBe(false);
  });
  test("refuses another token", async () => {
    expect(await code(auth.authenticate(req(`Bearer ${"u".repeat(20)}`), "2"))).toBe("AUTH_FAILED");
  });
});

describe("xmpp scheme", () => {
  test("checks user@host:password with the server once, then from a cache", async () => {
    const calls: string[] = [];
    const auth = authenticator(
      {
        kind: "xmpp",
        realm: "r",
        cache_s: 60,
        timeout_ms: 1000,
        failure_cache_s: 30,
        max_checks: 8,
        max_queued_checks: 256,
        offline_grace_s: 0,
      },
      async (l, d, p) => {
        calls.push(`${l}@${d}`);
        return p === "pw";
      },
    );
    expect((await auth.authenticate(req(basic("alice", "pw")), "1")).jid).toBe("alice@localhost");
    expect((await auth.authenticate(req(basic("alice@localhost", "pw")), "1")).jid).toBe("alice@localhost");
    expect(calls).toEqual(["alice@localhost"]);
    expect(await code(auth.authenticate(req(basic("alice", "bad")), "1"))).toBe("AUTH_FAILED");
  });
});

describe("the failure throttle", () => {
  test("answers 429 with Retry-After after repeated failures from one address, not others", async () => {
    const auth = authenticator({ kind: "header", value: "right" });
    for (let i = 0; i < 3; i++) expect(await code(auth.authenticate(req("wrong"), "10.0.0.1"))).toBe("AUTH_FAILED");
    const err = (await auth.authenticate(req("right"), "10.0.0.1").catch((e: GatewayError) => e)) as GatewayError;
    expect(err.code).toBe("RATE_LIMITED");
    expect(Number(err.headers["retry-after"])).toBeGreaterThan(0);
    expect(await code(auth.authenticate(req("right"), "10.0.0.2"))).toBe("ok");
  });
  test("forgets failures when the window ends", () => {
    let now = 0;
    const t = createThrottle(1, 10, { now: () => now });
    t.fail("a");
    expect(t.retryAfter("a")).toBe(10);
    now = 10_000;
    expect(t.retryAfter("a")).toBe(0);
  });
});
