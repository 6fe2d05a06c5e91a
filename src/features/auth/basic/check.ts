/**
 * `kind: basic`: HTTP Basic against users listed in routes.yaml with argon2id hashes
 * (`stanzagate hash-password` prints one). A user name without `@` acts as name@xmpp.host.
 * Verifications run with a bounded concurrency (password-verifier.ts).
 */
import { GatewayError } from "../../../plugin-api/errors.ts";
import type { BasicAuth } from "./schema.ts";
import type { Identity } from "../../../auth/types.ts";
import { parseBasic } from "../../../auth/credentials.ts";
import { challenge } from "../../../kit/auth.ts";
import type { VerifyPassword } from "./password-verifier.ts";

export function basicCheck(name: string, scheme: BasicAuth, host: string, verify: VerifyPassword) {
  // Verified against when the user is unknown, so that both cases take the same time. Made on
  // first use: argon2id with the default cost takes 64 MiB and tens of ms, at start-up otherwise.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= Bun.password.hash("stanzagate-dummy", { algorithm: "argon2id" }));
  return async function checkBasic(request: Request): Promise<Identity> {
    const creds = parseBasic(request.headers.get("authorization"));
    if (!creds) throw new GatewayError("AUTH_REQUIRED", undefined, { headers: challenge(scheme.realm) });
    // Own keys only: a user named "constructor" must not find Object.prototype's.
    const hash = Object.hasOwn(scheme.users, creds.user) ? scheme.users[creds.user] : undefined;
    const ok = await verify(creds.password, hash ?? (await dummyHash()));
    if (!ok || hash === undefined) throw new GatewayError("AUTH_FAILED", undefined, { headers: challenge(scheme.realm) });
    return { scheme: name, name: creds.user, jid: creds.user.includes("@") ? creds.user : `${creds.user}@${host}` };
  };
}
