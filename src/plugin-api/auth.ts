/**
 * Who made a request, as plugins see it: the route's auth scheme (routes.yaml `auth:`) resolves
 * an Identity; the engine's schemes (src/engine/auth/) implement Authenticator.
 */
import { GatewayError } from "../errors.ts";

/** Who made a request, as established by an auth scheme. Templates see it as `user`. */
export interface Identity {
  /** The auth scheme's name in routes.yaml. */
  scheme: string;
  /** The user, token holder or (for `header`) the scheme name. */
  name: string;
  /** The XMPP address the caller acts as, when the scheme knows one. */
  jid?: string;
  /** Recipients this identity may address (bearer tokens); absent means any. */
  allow?: string[];
}

export interface Authenticator {
  readonly name: string;
  /** The scheme's kind in routes.yaml (basic, bearer, header, xmpp). */
  readonly kind: string;
  /**
   * Resolves who is calling, or throws a GatewayError: AUTH_REQUIRED (no credentials, with a
   * WWW-Authenticate header where the scheme has one), AUTH_FAILED, RATE_LIMITED, or AUTH_BUSY.
   * `ip` is the client address (HttpRequest.ip): failures are throttled per address and scheme.
   */
  authenticate(request: Request, ip: string): Promise<Identity>;
}

/** RFC 7617 §2: the challenge that tells HTTP clients (curl -u, browsers) to send Basic. */
export function challenge(realm: string): Record<string, string> {
  return { "www-authenticate": `Basic realm="${realm.replace(/["\\]/g, "")}"` };
}

/** Whether `identity` may address `recipient` (a bare or full JID): a bearer token's `allow` list. */
export function mayAddress(identity: Identity, recipient: string): boolean {
  if (!identity.allow) return true;
  const bare = recipient.split("/")[0]?.toLowerCase() ?? "";
  const domain = bare.slice(bare.indexOf("@") + 1);
  return identity.allow.some((a) => a.toLowerCase() === bare || a.toLowerCase() === `*@${domain}`);
}

/** Throws 403 FORBIDDEN unless `identity` may address `recipient` (declarative routes and post_msg). */
export function requireMayAddress(identity: Identity | undefined, recipient: string | undefined): void {
  if (identity && recipient && !mayAddress(identity, recipient)) {
    throw new GatewayError("FORBIDDEN", `This credential may not address ${recipient}`, { details: { to: recipient } });
  }
}
