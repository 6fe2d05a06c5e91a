/** `kind: header` under auth: its keys. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../../config/schema.ts";

export const HeaderAuthSchema = Closed({
  kind: Type.Literal("header", { description: "Selects this scheme." }),
  value: Type.String({
    minLength: 1,
    description: "The exact Authorization header value expected (as mod_http_muc_kick's http_muc_kick_authorization_header).",
  }),
});

export type HeaderAuth = Static<typeof HeaderAuthSchema>;
