/**
 * Signs a webhook call the Standard Webhooks way (https://www.standardwebhooks.com/, "Signature
 * scheme"), so the webhook can check the POST came from this gateway and is fresh:
 *   webhook-id:        a unique message id
 *   webhook-timestamp: seconds since the epoch
 *   webhook-signature: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))
 * The spec's secrets look like `whsec_<base64 key>`; other strings are taken as the key's bytes,
 * so a plain shared password works too.
 */
import { createHmac, randomUUID } from "node:crypto";

const SECRET_PREFIX = "whsec_";

export function signingKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX) ? Buffer.from(secret.slice(SECRET_PREFIX.length), "base64") : Buffer.from(secret, "utf8");
}

export function sign(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

export function signatureHeaders(key: Buffer, body: string, now: Date = new Date(), id = `msg_${randomUUID()}`): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": sign(key, id, timestamp, body),
  };
}
