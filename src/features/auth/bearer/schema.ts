/** `kind: bearer` under auth: its keys. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../../config/schema.ts";

const BearerTokenSchema = Closed({
  token: Type.String({ minLength: 16, description: "The token; use ${VAR} to keep it out of the file." }),
  name: Type.String({ minLength: 1, description: "Who holds it: the identity templates and logs see." }),
  jid: Type.Optional(Type.String({ description: "The JID this token acts as (post_msg sends from it)." })),
  allow: Type.Optional(
    Type.Array(Type.String(), { description: "Recipients this token may address: bare JIDs, or domains as *@domain. Absent: any." }),
  ),
});

export const BearerAuthSchema = Closed({
  kind: Type.Literal("bearer", { description: "Selects this scheme." }),
  tokens: Type.Array(BearerTokenSchema, { minItems: 1, description: "The accepted tokens, each with its holder's name (keys below)." }),
});

export type BearerAuth = Static<typeof BearerAuthSchema>;
