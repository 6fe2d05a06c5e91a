/** `kind: bearer` under auth: its keys. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../../config/schema.ts";

/** At least 16 characters, or exactly a Gotify 2.x application token: `A` + 14 of `[A-Za-z0-9._-]`. */
const GOTIFY_OR_16 = "^(A[A-Za-z0-9._-]{14}|.{16,})$";

const BearerTokenSchema = Closed({
  token: Type.String({
    minLength: 15,
    // 16+ characters of anything, or the 15 of a Gotify 2.x application token (auth/token.go).
    pattern: GOTIFY_OR_16,
    description:
      "The token (16 characters or more); use ${VAR} to keep it out of the file. A Gotify 2.x application token (`A` and 14 of `A-Za-z0-9._-`, 15 in all) is accepted too, so the tokens Gotify generated keep working: its 14 random characters of 65 are about 84 bits, enough against guessing over HTTP (failures are throttled), while a shorter token of any other shape is refused.",
  }),
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
