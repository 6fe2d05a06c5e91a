// `kind: hmac`: webhook signatures as the senders compute them, checked on the raw body.
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { Value } from "@sinclair/typebox/value";
import { createAuthenticator, loadConfig } from "../../../../src/features/index.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { createThrottle } from "../../../../src/auth/throttle.ts";
import { createReplayGuard } from "../../../../src/features/auth/hmac/replay-guard.ts";
import { HmacAuthSchema, type HmacAuth } from "../../../../src/features/auth/hmac/schema.ts";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import { createGateway } from "../../../../src/app.ts";
import { silentLogger } from "../../../../src/log.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";

// The example of GitHub's docs ("Validating webhook deliveries", testing the validation).
const GITHUB_DOC = {
  secret: "It's a Secret to Everybody",
  body: "Hello, World!",
  signature: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
};
// The test vector the Standard Webhooks reference libraries publish.
const SW_VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

const scheme = (raw: Record<string, unknown>) => Value.Default(HmacAuthSchema, { kind: "hmac", ...raw }) as HmacAuth;

function authenticator(raw: Record<string, unknown>, now = () => SW_VECTOR.timestamp * 1000, maxFailures = 100) {
  return createAuthenticator("hook", scheme(raw), {
    host: "localhost",
    server: "xmpp://127.0.0.1:1",
    throttle: createThrottle(maxFailures, 60),
    now,
  });
}

const post = (body: string | Uint8Array, headers: Record<string, string>) =>
  new Request("http://gw/hook", { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayError) return { status: err.status, code: err.code, details: err.details };
    throw err;
  }
  throw new Error("expected a refusal");
}

const hex = (secret: string, body: string | Uint8Array) => createHmac("sha256", secret).update(body).digest("hex");

describe("format: github", () => {
  const github = authenticator({ format: "github", secret: GITHUB_DOC.secret });

  test("accepts GitHub's documented example signature", async () => {
    const identity = await github.authenticate(post(GITHUB_DOC.body, { "x-hub-signature-256": GITHUB_DOC.signature }), "1.1.1.1");
    expect(identity).toEqual({ scheme: "hook", name: "hook" });
  });

  test("leaves the body readable by the route afterwards", async () => {
    const request = post(GITHUB_DOC.body, { "x-hub-signature-256": GITHUB_DOC.signature });
    await github.authenticate(request, "1.1.1.1");
    expect(await request.text()).toBe(GITHUB_DOC.body);
  });

  test("signs the exact bytes: bytes that are not UTF-8 are checked as received", async () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x41]);
    const ok = await github.authenticate(post(bytes, { "x-hub-signature-256": `sha256=${hex(GITHUB_DOC.secret, bytes)}` }), "1.1.1.1");
    expect(ok.name).toBe("hook");
  });

  test("a body changed by one byte is 401 AUTH_FAILED naming the header, not the expected value", async () => {
    const r = await refusal(github.authenticate(post("Hello, World?", { "x-hub-signature-256": GITHUB_DOC.signature }), "1.1.1.1"));
    expect(r).toEqual({
      status: 401,
      code: "AUTH_FAILED",
      details: { reason: "X-Hub-Signature-256 does not match the body", header: "X-Hub-Signature-256" },
    });
    expect(JSON.stringify(r)).not.toContain(hex(GITHUB_DOC.secret, "Hello, World?"));
  });

  test("the sha1 header alone, or a malformed value, is refused", async () => {
    expect(await refusal(github.authenticate(post("x", { "x-hub-signature": "sha1=00" }), "1.1.1.1"))).toMatchObject({
      status: 401,
      code: "AUTH_REQUIRED",
      details: { header: "X-Hub-Signature-256" },
    });
    expect(await refusal(github.authenticate(post("x", { "x-hub-signature-256": "md5=abc" }), "1.1.1.1"))).toMatchObject({
      code: "AUTH_FAILED",
      details: { reason: "X-Hub-Signature-256 is not sha256=<64 hex digits>" },
    });
  });
});

describe("format: gitea", () => {
  const gitea = authenticator({ format: "gitea", secret: "gitea-secret" });
  const body = JSON.stringify({ ref: "refs/heads/main", commits: [] });

  test("accepts X-Gitea-Signature and Forgejo's X-Forgejo-Signature", async () => {
    expect((await gitea.authenticate(post(body, { "x-gitea-signature": hex("gitea-secret", body) }), "1.1.1.1")).name).toBe("hook");
    expect((await gitea.authenticate(post(body, { "x-forgejo-signature": hex("gitea-secret", body) }), "1.1.1.1")).name).toBe("hook");
  });

  test("a signature under another secret is 401 AUTH_FAILED", async () => {
    const r = await refusal(gitea.authenticate(post(body, { "x-gitea-signature": hex("other", body) }), "1.1.1.1"));
    expect(r).toMatchObject({ status: 401, code: "AUTH_FAILED", details: { header: "X-Gitea-Signature" } });
  });

  test("no signature header is 401 AUTH_REQUIRED naming the header", async () => {
    expect(await refusal(gitea.authenticate(post(body, {}), "1.1.1.1"))).toEqual({
      status: 401,
      code: "AUTH_REQUIRED",
      details: { reason: "missing X-Gitea-Signature header", header: "X-Gitea-Signature" },
    });
  });
});

describe("format: standard_webhooks", () => {
  const headers = (over: Record<string, string> = {}) => ({
    "webhook-id": SW_VECTOR.id,
    "webhook-timestamp": String(SW_VECTOR.timestamp),
    "webhook-signature": SW_VECTOR.signature,
    ...over,
  });

  test("accepts the published test vector, once: the same webhook-id again is a replay", async () => {
    const sw = authenticator({ format: "standard_webhooks", secret: SW_VECTOR.secret });
    expect((await sw.authenticate(post(SW_VECTOR.body, headers()), "1.1.1.1")).name).toBe("hook");
    expect(await refusal(sw.authenticate(post(SW_VECTOR.body, headers()), "1.1.1.1"))).toEqual({
      status: 401,
      code: "AUTH_FAILED",
      details: { reason: "webhook-id was already accepted within the replay window", header: "webhook-id" },
    });
  });

  test("accepts a list of signatures when one of them matches (key rotation)", async () => {
    const sw = authenticator({ format: "standard_webhooks", secret: SW_VECTOR.secret });
    const list = `v1a,ignored v1,bm9wZQ== ${SW_VECTOR.signature}`;
    expect((await sw.authenticate(post(SW_VECTOR.body, headers({ "webhook-signature": list })), "1.1.1.1")).name).toBe("hook");
  });

  test("a timestamp outside the window, either way, is refused; the window is configurable", async () => {
    const at = (offsetS: number, tolerance?: number) =>
      authenticator(
        { format: "standard_webhooks", secret: SW_VECTOR.secret, ...(tolerance ? { tolerance_s: tolerance } : {}) },
        () => (SW_VECTOR.timestamp + offsetS) * 1000,
      );
    expect(await refusal(at(301).authenticate(post(SW_VECTOR.body, headers()), "1.1.1.1"))).toMatchObject({
      code: "AUTH_FAILED",
      details: { reason: "webhook-timestamp is older than the 300 s window allows" },
    });
    expect(await refusal(at(-301).authenticate(post(SW_VECTOR.body, headers()), "1.1.1.1"))).toMatchObject({
      code: "AUTH_FAILED",
      details: { reason: "webhook-timestamp is later than the 300 s window allows" },
    });
    expect((await at(299).authenticate(post(SW_VECTOR.body, headers()), "1.1.1.1")).name).toBe("hook");
    expect((await at(3_000, 3_600).authenticate(post(SW_VECTOR.body, headers()), "1.1.1.1")).name).toBe("hook");
  });

  test("a tampered body, or a missing header, is refused naming the header", async () => {
    const sw = authenticator({ format: "standard_webhooks", secret: SW_VECTOR.secret });
    expect(await refusal(sw.authenticate(post('{"test": 2432232315}', headers()), "1.1.1.1"))).toMatchObject({
      code: "AUTH_FAILED",
      details: { header: "webhook-signature" },
    });
    const { "webhook-timestamp": _t, ...noTimestamp } = headers();
    expect(await refusal(sw.authenticate(post(SW_VECTOR.body, noTimestamp), "1.1.1.1"))).toMatchObject({
      status: 401,
      code: "AUTH_REQUIRED",
      details: { header: "webhook-timestamp" },
    });
  });
});

describe("format: grafana", () => {
  // Grafana's webhook contact point (grafana/alerting http/hmac.go): hex HMAC-SHA256 of the body,
  // or of `<timestamp>:<body>` once its HMAC settings name a timestamp header.
  const secret = "grafana-hmac-secret";
  const body = JSON.stringify({ receiver: "gw", status: "firing", title: "[FIRING:1] DiskFull" });
  const at = SW_VECTOR.timestamp;

  test("accepts the hex signature of the body in X-Grafana-Alerting-Signature", async () => {
    const grafana = authenticator({ format: "grafana", secret });
    const identity = await grafana.authenticate(post(body, { "x-grafana-alerting-signature": hex(secret, body) }), "1.1.1.1");
    expect(identity).toEqual({ scheme: "hook", name: "hook" });
  });

  test("with timestamp_header, accepts the signature of `<timestamp>:<body>`, and not of the body alone", async () => {
    const grafana = authenticator({ format: "grafana", secret, timestamp_header: "X-Grafana-Timestamp" });
    const signed = { "x-grafana-timestamp": String(at), "x-grafana-alerting-signature": hex(secret, `${at}:${body}`) };
    expect((await grafana.authenticate(post(body, signed), "1.1.1.1")).name).toBe("hook");
    const bodyOnly = { "x-grafana-timestamp": String(at), "x-grafana-alerting-signature": hex(secret, body) };
    expect(await refusal(grafana.authenticate(post(body, bodyOnly), "1.1.1.1"))).toEqual({
      status: 401,
      code: "AUTH_FAILED",
      details: { reason: "X-Grafana-Alerting-Signature does not match the body", header: "X-Grafana-Alerting-Signature" },
    });
  });

  test("a signature under another secret, or of another body, is 401 AUTH_FAILED", async () => {
    const grafana = authenticator({ format: "grafana", secret });
    for (const signature of [hex("guess", body), hex(secret, `${body} `)])
      expect(await refusal(grafana.authenticate(post(body, { "x-grafana-alerting-signature": signature }), "1.1.1.1"))).toMatchObject({
        status: 401,
        code: "AUTH_FAILED",
        details: { header: "X-Grafana-Alerting-Signature" },
      });
  });

  test("a stale or future timestamp is refused, even correctly signed; tolerance_s sets the window", async () => {
    const signedAt = (ts: number) => ({ "x-grafana-timestamp": String(ts), "x-grafana-alerting-signature": hex(secret, `${ts}:${body}`) });
    const grafana = (tolerance?: number) =>
      authenticator({
        format: "grafana",
        secret,
        timestamp_header: "X-Grafana-Timestamp",
        ...(tolerance ? { tolerance_s: tolerance } : {}),
      });
    expect(await refusal(grafana().authenticate(post(body, signedAt(at - 301)), "1.1.1.1"))).toEqual({
      status: 401,
      code: "AUTH_FAILED",
      details: { reason: "X-Grafana-Timestamp is older than the 300 s window allows", header: "X-Grafana-Timestamp" },
    });
    expect(await refusal(grafana().authenticate(post(body, signedAt(at + 301)), "1.1.1.1"))).toMatchObject({
      details: { reason: "X-Grafana-Timestamp is later than the 300 s window allows" },
    });
    expect((await grafana(3_600).authenticate(post(body, signedAt(at - 3_000)), "1.1.1.1")).name).toBe("hook");
  });

  test("a missing signature or timestamp header is 401 AUTH_REQUIRED naming it; a timestamp that is not seconds is refused", async () => {
    const grafana = authenticator({ format: "grafana", secret, timestamp_header: "X-Grafana-Timestamp" });
    expect(await refusal(grafana.authenticate(post(body, { "x-grafana-alerting-signature": hex(secret, body) }), "1.1.1.1"))).toEqual({
      status: 401,
      code: "AUTH_REQUIRED",
      details: { reason: "missing X-Grafana-Timestamp header", header: "X-Grafana-Timestamp" },
    });
    expect(await refusal(grafana.authenticate(post(body, { "x-grafana-timestamp": String(at) }), "1.1.1.1"))).toMatchObject({
      code: "AUTH_REQUIRED",
      details: { header: "X-Grafana-Alerting-Signature" },
    });
    const iso = {
      "x-grafana-timestamp": "2026-12-07T01:00:00Z",
      "x-grafana-alerting-signature": hex(secret, `2026-12-07T01:00:00Z:${body}`),
    };
    expect(await refusal(grafana.authenticate(post(body, iso), "1.1.1.1"))).toMatchObject({
      code: "AUTH_FAILED",
      details: { reason: "X-Grafana-Timestamp is not a number of seconds since the epoch" },
    });
  });

  test("check refuses timestamp_header on another format, at its line", () => {
    const result = loadConfig(
      `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
auth:
  hook: { kind: hmac, format: github, secret: s, timestamp_header: X-Timestamp }
`,
      {},
      BUILTIN_PLUGINS,
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.diagnostics).toContainEqual({
        line: 3,
        col: 50,
        path: "auth.hook.timestamp_header",
        message: "timestamp_header is read only with format: grafana (this scheme is format: github)",
      });
  });
});

test("failed signatures count against the shared failure throttle (429 past the limit)", async () => {
  const gitea = authenticator({ format: "gitea", secret: "s" }, Date.now, 2);
  for (let i = 0; i < 2; i++) await refusal(gitea.authenticate(post("x", { "x-gitea-signature": "0".repeat(64) }), "9.9.9.9"));
  expect(await refusal(gitea.authenticate(post("x", { "x-gitea-signature": hex("s", "x") }), "9.9.9.9"))).toMatchObject({
    status: 429,
    code: "RATE_LIMITED",
  });
});

test("the replay memory is bounded: past max ids the oldest is forgotten first", () => {
  const guard = createReplayGuard(2, 60_000, () => 0);
  expect([guard.firstUse("a"), guard.firstUse("b"), guard.firstUse("c")]).toEqual([true, true, true]);
  expect(guard.size()).toBe(2);
  expect([guard.firstUse("c"), guard.firstUse("a")]).toEqual([false, true]);
});

test("a declarative route behind a GitHub signature renders the body it verified", async () => {
  const secret = "route-secret";
  const gateway = await createGateway(
    loadTestConfig(`
xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
store: ":memory:"
auth:
  github: { kind: hmac, format: github, secret: ${secret} }
routes:
  - path: /hook
    auth: github
    send: '<message to="ops@localhost"><body>{{ body.zen }}</body></message>'
`),
    { log: silentLogger },
  );
  try {
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const signed = await gateway.handle(post(body, { "x-hub-signature-256": `sha256=${hex(secret, body)}` }));
    expect(signed.status).toBe(202);
    const forged = await gateway.handle(post(body, { "x-hub-signature-256": `sha256=${hex("guess", body)}` }));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({
      error: "Webhook signature check failed",
      code: "AUTH_FAILED",
      reason: "X-Hub-Signature-256 does not match the body",
      header: "X-Hub-Signature-256",
    });
  } finally {
    await gateway.stop({ flushTimeoutMs: 0 });
  }
});
