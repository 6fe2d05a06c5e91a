/** `kind: basic` under auth: its keys. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../../config/schema.ts";
import { Realm } from "../../../auth/schema.ts";

export const BasicAuthSchema = Closed({
  kind: Type.Literal("basic", { description: "Selects this scheme." }),
  realm: Realm,
  users: Type.Record(Type.String({ minLength: 1 }), Type.String({ pattern: "^\\$argon2id\\$" }), {
    description: "User name (or JID) -> argon2id hash, as printed by `stanzagate hash-password`.",
  }),
});

export type BasicAuth = Static<typeof BasicAuthSchema>;
