/** `kind: basic`: users and argon2id hashes from routes.yaml (`stanzagate hash-password`). */
import { defineAuthKind, defineFeature } from "../../../feature-api.ts";
import { basicCheck } from "./check.ts";
import { boundedVerifier, type VerifyPassword } from "./password-verifier.ts";
import { BasicAuthSchema } from "./schema.ts";

export default defineFeature({
  name: "auth-basic",
  summary: "Users and argon2id password hashes.",
  authKinds: [
    defineAuthKind({
      kind: "basic",
      schema: BasicAuthSchema,
      create(name, scheme, deps) {
        // One bound on argon2id verifications for every basic scheme of the configuration.
        const verify = (deps.verifyPassword as VerifyPassword | undefined) ?? shared(deps.shared);
        return basicCheck(name, scheme, deps.host, verify);
      },
      securityScheme: () => ({ type: "http", scheme: "basic", description: "A user and password from routes.yaml." }),
    }),
  ],
});

function shared(schemes: Map<string, unknown>): VerifyPassword {
  const made = (schemes.get("basic") as VerifyPassword | undefined) ?? boundedVerifier();
  schemes.set("basic", made);
  return made;
}
