/** Helpers for auth schemes and the routes they guard (the types are the contract's, src/plugin-api/auth.ts). */
import { GatewayError } from "../plugin-api/errors.ts";
import type { Identity } from "../plugin-api/auth.ts";

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
