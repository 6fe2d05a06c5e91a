import type { AuthKind } from "./schema.ts";
import type { Authenticator as PluginAuthenticator } from "../plugin-api/auth.ts";

export type { Identity } from "../plugin-api/auth.ts";

/** The plugin API's Authenticator, with the kinds the engine implements. */
export interface Authenticator extends PluginAuthenticator {
  readonly kind: AuthKind;
}
