/**
 * HMAC-SHA256 signatures of webhook bodies, shared by the `kind: hmac` auth scheme (which checks
 * them on incoming requests) and component_http (which signs its outgoing webhooks the Standard
 * Webhooks way). Comparison is constant-time over equal-length digests.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const STANDARD_WEBHOOKS_SECRET_PREFIX = "whsec_";

/** HMAC-SHA256 of `parts`, concatenated, under `key`. */
export function hmacSha256(key: Buffer | string, ...parts: Array<Uint8Array | string>): Buffer {
  const mac = createHmac("sha256", key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Whether a received digest equals the expected one, in time independent of where they differ. */
export function digestEquals(expected: Buffer, given: Buffer): boolean {
  // Both are SHA-256 digests when well-formed: a length mismatch only says the input was malformed.
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The key of a Standard Webhooks secret (https://www.standardwebhooks.com/, "Signature scheme"):
 * `whsec_<base64 key>`; any other string is taken as the key's bytes, so a plain shared password
 * works too.
 */
export function standardWebhooksKey(secret: string): Buffer {
  return secret.startsWith(STANDARD_WEBHOOKS_SECRET_PREFIX)
    ? Buffer.from(secret.slice(STANDARD_WEBHOOKS_SECRET_PREFIX.length), "base64")
    : Buffer.from(secret, "utf8");
}

/** Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, the raw body bytes. */
export function standardWebhooksDigest(key: Buffer, id: string, timestamp: string, body: Uint8Array | string): Buffer {
  return hmacSha256(key, `${id}.${timestamp}.`, body);
}
