/** Builds the named auth schemes of routes.yaml, each wrapped by the shared failure throttle. */
import { GatewayError } from "../../errors.ts";
import type { AuthScheme } from "../../config/auth-schema.ts";
import type { Authenticator, Identity } from "./types.ts";
import type { Throttle } from "./throttle.ts";
import { headerCheck } from "./header.ts";
import { basicCheck } from "./basic.ts";
import { bearerCheck } from "./bearer.ts";
import { saslPasswordCheck, xmppCheck, type PasswordCheck } from "./xmpp.ts";

export interface AuthDeps {
  /** The user domain (xmpp.host): bare user names belong to it. */
  host: string;
  /** The component server URL, whose host is the default for the xmpp scheme's client port. */
  server: string;
  throttle: Throttle;
  /** Replaces the SASL login of `kind: xmpp` (tests). */
  passwordCheck?: PasswordCheck;
}

export function createAuthenticator(name: string, scheme: AuthScheme, deps: AuthDeps): Authenticator {
  const check = schemeCheck(name, scheme, deps);
  return {
    name,
    kind: scheme.kind,
    async authenticate(request, ip) {
      const wait = deps.throttle.retryAfter(ip);
      if (wait > 0) throw new GatewayError("RATE_LIMITED", undefined, { headers: { "retry-after": String(wait) } });
      try {
        return await check(request);
      } catch (err) {
        if (err instanceof GatewayError && err.code === "AUTH_FAILED") deps.throttle.fail(ip);
        throw err;
      }
    },
  };
}

function schemeCheck(name: string, scheme: AuthScheme, deps: AuthDeps): (request: Request) => Promise<Identity> {
  switch (scheme.kind) {
    case "header":
      return headerCheck(name, scheme);
    case "basic":
      return basicCheck(name, scheme, deps.host);
    case "bearer":
      return bearerCheck(name, scheme);
    case "xmpp": {
      const service = scheme.server ?? `xmpp://${new URL(deps.server).hostname}:5222`;
      return xmppCheck(name, scheme, deps.host, deps.passwordCheck ?? saslPasswordCheck(service, scheme.timeout_ms));
    }
  }
}
