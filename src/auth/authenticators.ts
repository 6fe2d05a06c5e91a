/**
 * Builds the named auth schemes of routes.yaml, each wrapped by the shared failure throttle, which
 * counts failures per client address and scheme: a sender failing one scheme (a webhook with a
 * wrong secret) never locks out another scheme's senders at the same address (a proxy).
 */
import type { Database } from "bun:sqlite";
import { GatewayError, type ErrorCode } from "../errors.ts";
import type { AuthScheme } from "./schema.ts";
import type { Logger } from "../log.ts";
import type { Authenticator, Identity } from "./types.ts";
import type { Throttle } from "./throttle.ts";
import { headerCheck } from "../features/auth/header/check.ts";
import { basicCheck } from "../features/auth/basic/check.ts";
import { bearerCheck } from "../features/auth/bearer/check.ts";
import { xmppCheck, type PasswordCheck } from "../features/auth/xmpp/check.ts";
import { saslPasswordCheck } from "../features/auth/xmpp/sasl-check.ts";
import { hmacCheck } from "../features/auth/hmac/check.ts";
import { boundedVerifier, type VerifyPassword } from "../features/auth/basic/password-verifier.ts";

export interface AuthDeps {
  /** The user domain (xmpp.host): bare user names belong to it. */
  host: string;
  /** The component server URL, whose host is the default for the xmpp scheme's client port. */
  server: string;
  throttle: Throttle;
  /** Replaces the SASL login of `kind: xmpp` (tests). */
  passwordCheck?: PasswordCheck;
  /** Keeps the xmpp scheme's offline grace across restarts. */
  store?: Database;
  /** Whether the component link is up (the xmpp scheme's offline grace). */
  linkOnline?: () => boolean;
  log?: Logger;
  /** http.max_body_bytes: how far `kind: hmac` reads a body to check its signature. */
  maxBodyBytes?: number;
  now?: () => number;
  /** argon2id verification of `kind: basic`, shared by the schemes of a configuration to bound them together. */
  verifyPassword?: VerifyPassword;
}

/** The default of http.max_body_bytes, for callers that build a scheme without a config. */
const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/**
 * What the throttle counts as a failed attempt: refused credentials, and checks the server could
 * not answer (a flood of guesses that only time out must be slowed down like one that fails).
 */
const COUNTED: ReadonlySet<string> = new Set<ErrorCode>(["AUTH_FAILED", "AUTH_UNAVAILABLE"]);
const counted = (err: unknown) => err instanceof GatewayError && COUNTED.has(err.code);

export function createAuthenticator(name: string, scheme: AuthScheme, deps: AuthDeps): Authenticator {
  const check = schemeCheck(name, scheme, deps);
  return {
    name,
    kind: scheme.kind,
    // Scheme names cannot hold a space (config/schema.ts): the key is unambiguous.
    authenticate: (request, ip) => deps.throttle.guard(`${name} ${ip}`, () => check(request), counted),
  };
}

function schemeCheck(name: string, scheme: AuthScheme, deps: AuthDeps): (request: Request) => Promise<Identity> {
  switch (scheme.kind) {
    case "header":
      return headerCheck(name, scheme);
    case "basic":
      return basicCheck(name, scheme, deps.host, deps.verifyPassword ?? boundedVerifier());
    case "bearer":
      return bearerCheck(name, scheme);
    case "xmpp": {
      const service = scheme.server ?? `xmpp://${new URL(deps.server).hostname}:5222`;
      const { host, store, linkOnline, log } = deps;
      const check = deps.passwordCheck ?? saslPasswordCheck(service);
      return xmppCheck(name, scheme, {
        host,
        check,
        ...(store ? { store } : {}),
        ...(linkOnline ? { linkOnline } : {}),
        ...(log ? { log: log.child({ auth: name }) } : {}),
      });
    }
    case "hmac":
      return hmacCheck(name, scheme, { maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, ...(deps.now ? { now: deps.now } : {}) });
  }
}
