/** A generation's authenticators: each named scheme by its kind's feature, observed for the request log and metrics. */
import { FEATURE_REGISTRY } from "../features/index.ts";
import type { Authenticator } from "../auth/types.ts";
import { authenticatorOf } from "../auth/authenticators.ts";
import { GatewayError } from "../plugin-api/errors.ts";
import { noteIdentity } from "../http/request-context.ts";

import type { GenerationDeps } from "./deps.ts";
/** The configuration's auth schemes, each by its kind's feature; one bound on what they share (argon2id). */
export function createAuthenticators(deps: GenerationDeps): Map<string, Authenticator> {
  const { config, log } = deps;
  const shared = new Map<string, unknown>();
  return new Map(
    Object.entries(config.auth).map(([name, scheme]) => {
      const kind = FEATURE_REGISTRY.authKind(scheme.kind);
      if (!kind) throw new Error(`no feature checks auth schemes of kind ${scheme.kind}`);
      const auth = authenticatorOf(kind, name, scheme, {
        host: config.xmpp.host,
        server: config.xmpp.server,
        throttle: deps.throttle,
        maxBodyBytes: config.http.max_body_bytes,
        store: deps.store,
        linkOnline: deps.linkOnline,
        log: log.child({ part: "auth" }),
        shared,
      });
      return [name, observedAuth(auth, deps)];
    }),
  );
}

/** Notes who authenticated (for the request log) and counts refusals (for metrics). */
function observedAuth(auth: Authenticator, deps: GenerationDeps): Authenticator {
  return {
    name: auth.name,
    kind: auth.kind,
    async authenticate(request, ip) {
      try {
        const identity = await auth.authenticate(request, ip);
        noteIdentity(request, identity.name);
        return identity;
      } catch (err) {
        const code = err instanceof GatewayError ? err.code : "INTERNAL";
        if (code === "RATE_LIMITED") deps.metrics.throttled(auth.name);
        else deps.metrics.authFailure(auth.name, code);
        throw err;
      }
    },
  };
}
