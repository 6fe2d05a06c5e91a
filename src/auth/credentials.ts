/** Reading and comparing credentials without leaking their content through timing. */
import { createHash, timingSafeEqual } from "node:crypto";

export interface BasicCredentials {
  user: string;
  password: string;
}

/** RFC 7617: `Basic base64(user ":" password)`; the password may itself contain colons. */
export function parseBasic(header: string | null): BasicCredentials | undefined {
  const m = header?.match(/^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** RFC 6750 §2.1: `Bearer <token>`. */
export function parseBearer(header: string | null): string | undefined {
  return header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/**
 * A secret as it is compared: its SHA-256. Comparing digests in constant time (`sameSecret`) shows
 * neither the position of the first difference nor the length of the expected value in the
 * timing. A configured secret is hashed once, when its scheme is built; a presented one once per
 * request, however many configured ones it is compared with.
 */
export function secretDigest(secret: string): Buffer {
  return createHash("sha256").update(secret).digest();
}

/** Constant-time equality of two `secretDigest`s. */
export function sameSecret(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}
