/**
 * `kind: xmpp`: HTTP Basic checked against the XMPP server's own accounts, by logging in over the
 * client port (RFC 6120 §6, SASL) with the given credentials: users' XMPP passwords work, as
 * with mod_post_msg inside the server. Successful checks are remembered for `cache_s` as a salted
 * hash of user and password; the password itself is never kept or logged.
 */
import { createHash, randomBytes } from "node:crypto";
import { GatewayError } from "../../errors.ts";
import type { XmppAuth } from "../../config/auth-schema.ts";
import type { Identity } from "./types.ts";
import { parseBasic } from "./credentials.ts";
import { challenge } from "./challenge.ts";
import { parseJid } from "../../xmpp/jid.ts";

/** Logs in as local@domain; resolves true on success, false when the server says not-authorized. */
export type PasswordCheck = (local: string, domain: string, password: string) => Promise<boolean>;

export function saslPasswordCheck(service: string, timeoutMs: number): PasswordCheck {
  return async (local, domain, password) => {
    // Loaded on first use: the client library costs memory that gateways without this scheme keep.
    const { client } = await import("@xmpp/client");
    const xmpp = client({ service, domain, username: local, password });
    let failure: Error | undefined;
    xmpp.on("error", (err) => (failure ??= err));
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("SASL check timed out")), timeoutMs));
    try {
      await Promise.race([xmpp.start(), timeout]);
      return true;
    } catch (err) {
      const condition = (failure as { condition?: string } | undefined)?.condition ?? (err as { condition?: string }).condition;
      if (condition === "not-authorized" || condition === "account-disabled" || condition === "credentials-expired") return false;
      throw new GatewayError("LINK_DOWN", "Cannot check the password with the XMPP server", { details: { reason: (err as Error).message } });
    } finally {
      xmpp.stop().catch(() => {});
    }
  };
}

export function xmppCheck(name: string, scheme: XmppAuth, host: string, check: PasswordCheck, now: () => number = Date.now) {
  const salt = randomBytes(16);
  const cache = new Map<string, number>();
  const key = (user: string, password: string) => createHash("sha256").update(salt).update(user).update("\0").update(password).digest("base64");
  return async function checkXmpp(request: Request): Promise<Identity> {
    const creds = parseBasic(request.headers.get("authorization"));
    if (!creds) throw new GatewayError("AUTH_REQUIRED", undefined, { headers: challenge(scheme.realm) });
    const jid = parseJid(creds.user.includes("@") ? creds.user : `${creds.user}@${host}`);
    if (!jid?.local || jid.resource) throw new GatewayError("AUTH_FAILED", undefined, { headers: challenge(scheme.realm) });
    const bare = `${jid.local}@${jid.domain}`;
    const k = key(bare, creds.password);
    if ((cache.get(k) ?? 0) <= now()) {
      if (!(await check(jid.local, jid.domain, creds.password))) throw new GatewayError("AUTH_FAILED", undefined, { headers: challenge(scheme.realm) });
      if (scheme.cache_s > 0) remember(cache, k, now() + scheme.cache_s * 1000);
    }
    return { scheme: name, name: bare, jid: bare };
  };
}

const MAX_CACHED = 10_000;

function remember(cache: Map<string, number>, k: string, until: number): void {
  cache.delete(k);
  cache.set(k, until);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
}
