/** `kind: header` under auth: its keys. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../../config/schema.ts";

/** Where the value is looked for when `header:` is absent (mod_http_muc_kick's header). */
export const DEFAULT_HEADER = "Authorization";

export const HeaderAuthSchema = Closed({
  kind: Type.Literal("header", { description: "Selects this scheme." }),
  header: Type.Optional(
    Type.String({
      // RFC 9110 §5.1: a field name is a token (§5.6.2); anything else could never arrive.
      pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
      default: DEFAULT_HEADER,
      description: "The header that carries the value, any case (GitLab's webhook secret: X-Gitlab-Token).",
    }),
  ),
  value: Type.String({
    minLength: 1,
    description: "The exact value the header must have (as mod_http_muc_kick's http_muc_kick_authorization_header; GitLab's secret token).",
  }),
});

export type HeaderAuth = Static<typeof HeaderAuthSchema>;
