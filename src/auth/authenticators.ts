/**
 * A named auth scheme of routes.yaml as its kind checks it (src/features/auth/<kind>/), wrapped by
 * the shared failure throttle, which counts failures per client address and scheme: a sender
 * failing one scheme (a webhook with a wrong secret) never locks out another scheme's senders at
 * the same address (a proxy).
 */
import { GatewayError, type ErrorCode } from "../plugin-api/errors.ts";
import type { AuthDeps, AuthKind, SchemeBase } from "../feature-api.ts";
import type { Authenticator } from "./types.ts";
import type { Throttle } from "./throttle.ts";

/** AuthDeps, with the throttle, and defaults for what callers without a configuration leave out. */
export interface AuthenticatorDeps {
  throttle: Throttle;
  host: string;
  server: string;
  maxBodyBytes?: number;
  /** What the schemes of one configuration share (one bound on argon2id verifications); one per scheme when absent. */
  shared?: Map<string, unknown>;
  [own: string]: unknown;
}

/** The default of http.max_body_bytes, for callers that build a scheme without a config. */
const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/**
 * What the throttle counts as a failed attempt: refused credentials, and checks the server could
 * not answer (a flood of guesses that only time out must be slowed down like one that fails).
 */
const COUNTED: ReadonlySet<string> = new Set<ErrorCode>(["AUTH_FAILED", "AUTH_UNAVAILABLE"]);
const counted = (err: unknown) => err instanceof GatewayError && COUNTED.has(err.code);

export function authenticatorOf(kind: AuthKind, name: string, scheme: SchemeBase, deps: AuthenticatorDeps): Authenticator {
  const { throttle, ...rest } = deps;
  const full: AuthDeps = { ...rest, maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, shared: deps.shared ?? new Map() };
  const check = kind.create(name, scheme, full);
  return {
    name,
    kind: scheme.kind,
    // Scheme names cannot hold a space (config/schema.ts): the key is unambiguous.
    authenticate: (request, ip) => throttle.guard(`${name} ${ip}`, () => check(request), counted),
  };
}
