/**
 * `kind: hmac`: the request body must carry the sender's HMAC-SHA256 signature under a shared
 * secret, as webhook sources send it. The signature covers the raw body, the exact bytes
 * received, read from a clone so the route still reads the body afterwards.
 *
 * - github: `X-Hub-Signature-256: sha256=<hex>` (docs.github.com, "Validating webhook deliveries")
 * - gitea: `X-Gitea-Signature: <hex>`; Forgejo sends the same as `X-Forgejo-Signature`
 * - standard_webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> ...`
 *   over `id.timestamp.body` (standardwebhooks.com, "Verifying webhooks"), fresh within
 *   `tolerance_s` either way, and each id accepted once within that window (replay-guard.ts).
 *
 * - grafana: `X-Grafana-Alerting-Signature: <hex>` over the body, or over `<timestamp>:<body>`
 *   when the contact point names a timestamp header (grafana/alerting http/hmac.go; Grafana has
 *   no default name for it, so the scheme gives it as `timestamp_header`), fresh within `tolerance_s`.
 *
 * Missing headers are AUTH_REQUIRED, wrong ones AUTH_FAILED; both say which header, never the
 * expected value.
 */
import { GatewayError } from "../../../plugin-api/errors.ts";
import type { HmacAuth } from "./schema.ts";
import { readBytes } from "../../../kit/request-body.ts";
import type { Identity } from "../../../auth/types.ts";
import { digestEquals, hmacSha256, standardWebhooksDigest, standardWebhooksKey } from "./sign.ts";
import { createReplayGuard } from "./replay-guard.ts";

/** The header carrying each format's signature (OpenAPI names it as the scheme's apiKey). */
export const HMAC_HEADERS: Readonly<Record<HmacAuth["format"], string>> = {
  github: "X-Hub-Signature-256",
  gitea: "X-Gitea-Signature",
  standard_webhooks: "webhook-signature",
  grafana: "X-Grafana-Alerting-Signature",
};

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const TIMESTAMP = /^[0-9]{1,15}$/;

export interface HmacDeps {
  /** Bodies are read at most this far (http.max_body_bytes). */
  maxBodyBytes: number;
  now?: () => number;
}

type Verify = (request: Request, body: Uint8Array) => void;

export function hmacCheck(name: string, scheme: HmacAuth, deps: HmacDeps) {
  const verify = verifier(scheme, deps.now ?? Date.now);
  return async function checkHmac(request: Request): Promise<Identity> {
    // A clone: the route reads the original body afterwards. (Its type comes from undici's lib.)
    const body = await readBytes(request.clone() as Request, deps.maxBodyBytes);
    verify(request, body);
    return { scheme: name, name };
  };
}

function verifier(scheme: HmacAuth, now: () => number): Verify {
  switch (scheme.format) {
    case "github":
      return (request, body) => {
        const given = required(request, "X-Hub-Signature-256");
        const hex = given.startsWith("sha256=") ? given.slice("sha256=".length) : "";
        checkHex("X-Hub-Signature-256", hex, hmacSha256(scheme.secret, body), "sha256=<64 hex digits>");
      };
    case "gitea":
      return (request, body) => {
        const header =
          request.headers.has("x-gitea-signature") || !request.headers.has("x-forgejo-signature")
            ? "X-Gitea-Signature"
            : "X-Forgejo-Signature";
        checkHex(header, required(request, header), hmacSha256(scheme.secret, body), "64 hex digits");
      };
    case "standard_webhooks":
      return standardWebhooksVerifier(scheme, now);
    case "grafana":
      return grafanaVerifier(scheme, now);
  }
}

function grafanaVerifier(scheme: HmacAuth, now: () => number): Verify {
  const header = HMAC_HEADERS.grafana;
  const stamp = scheme.timestamp_header;
  if (stamp === undefined)
    return (request, body) => checkHex(header, required(request, header), hmacSha256(scheme.secret, body), "64 hex digits");
  return (request, body) => {
    const given = required(request, header);
    const timestamp = required(request, stamp);
    checkFresh(stamp, timestamp, scheme.tolerance_s, now);
    checkHex(header, given, hmacSha256(scheme.secret, `${timestamp}:`, body), "64 hex digits");
  };
}

/** A timestamp in seconds since the epoch, within `toleranceS` of now either way. */
function checkFresh(header: string, timestamp: string, toleranceS: number, now: () => number): void {
  if (!TIMESTAMP.test(timestamp)) fail(header, `${header} is not a number of seconds since the epoch`);
  const skew = now() - Number(timestamp) * 1000;
  if (Math.abs(skew) > toleranceS * 1000)
    fail(header, `${header} is ${skew > 0 ? "older" : "later"} than the ${toleranceS} s window allows`);
}

function standardWebhooksVerifier(scheme: HmacAuth, now: () => number): Verify {
  const key = standardWebhooksKey(scheme.secret);
  const toleranceMs = scheme.tolerance_s * 1000;
  // An id fresh at `now` has a timestamp before now + tolerance, so it is stale by now + 2 tolerance.
  const replays = createReplayGuard(scheme.max_remembered_ids, 2 * toleranceMs, now);
  return (request, body) => {
    const id = required(request, "webhook-id");
    const timestamp = required(request, "webhook-timestamp");
    const signatures = required(request, "webhook-signature");
    checkFresh("webhook-timestamp", timestamp, scheme.tolerance_s, now);
    const expected = standardWebhooksDigest(key, id, timestamp, body);
    // Every v1 signature is compared (no early exit); other versions (v1a: asymmetric) are skipped.
    let match = false;
    for (const sig of signatures.split(" ")) {
      if (sig.startsWith("v1,") && digestEquals(expected, Buffer.from(sig.slice(3), "base64"))) match = true;
    }
    if (!match) fail("webhook-signature", "webhook-signature has no v1 signature matching the body");
    if (!replays.firstUse(id)) fail("webhook-id", "webhook-id was already accepted within the replay window");
  };
}

function checkHex(header: string, hex: string, expected: Buffer, shape: string): void {
  if (!HEX_SHA256.test(hex)) fail(header, `${header} is not ${shape}`);
  if (!digestEquals(expected, Buffer.from(hex, "hex"))) fail(header, `${header} does not match the body`);
}

function required(request: Request, header: string): string {
  const value = request.headers.get(header);
  if (value === null || value === "") {
    throw new GatewayError("AUTH_REQUIRED", `Missing ${header} header`, { details: { reason: `missing ${header} header`, header } });
  }
  return value.trim();
}

function fail(header: string, reason: string): never {
  throw new GatewayError("AUTH_FAILED", "Webhook signature check failed", { details: { reason, header } });
}
