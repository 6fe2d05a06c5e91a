import type { AuthKind } from "../../config/auth-schema.ts";

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
  readonly kind: AuthKind;
  /**
   * Resolves who is calling, or throws a GatewayError: AUTH_REQUIRED (no credentials, with a
   * WWW-Authenticate header where the scheme has one), AUTH_FAILED, or RATE_LIMITED.
   */
  authenticate(request: Request, ip: string): Promise<Identity>;
}
