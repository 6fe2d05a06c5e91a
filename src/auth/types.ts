import type { Authenticator as PluginAuthenticator } from "../plugin-api/auth.ts";

export type { Identity } from "../plugin-api/auth.ts";

/** The plugin API's Authenticator, with the kind of scheme it checks (`kind:` under auth:). */
export interface Authenticator extends PluginAuthenticator {
  readonly kind: string;
}
