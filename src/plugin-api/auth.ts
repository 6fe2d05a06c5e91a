/**
 * Who made a request, as plugins see it: the route's auth scheme (routes.yaml `auth:`) resolves
 * an Identity; the auth kinds (src/features/auth/<kind>/) implement Authenticator. The helpers that
 * use them (challenge, requireMayAddress) are in the kit, src/kit/auth.ts.
 */
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
