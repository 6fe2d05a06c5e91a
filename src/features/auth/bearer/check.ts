/** `kind: bearer`: static tokens (RFC 6750), each optionally limited to some recipients. */
import { GatewayError } from "../../../plugin-api/errors.ts";
import type { BearerAuth } from "./schema.ts";
import type { Identity } from "../../../auth/types.ts";
import { parseBearer, sameSecret, secretDigest } from "../../../auth/credentials.ts";

export function bearerCheck(name: string, scheme: BearerAuth) {
  const tokens = scheme.tokens.map((t) => ({ ...t, digest: secretDigest(t.token) }));
  return async function checkBearer(request: Request): Promise<Identity> {
    const token = parseBearer(request.headers.get("authorization"));
    const bearerChallenge = { "www-authenticate": `Bearer realm="Stanzagate"` };
    if (!token) throw new GatewayError("AUTH_REQUIRED", undefined, { headers: bearerChallenge });
    // Compare against every token (no early exit), so timing does not tell which one matched.
    const given = secretDigest(token);
    let match: BearerAuth["tokens"][number] | undefined;
    for (const t of tokens) if (sameSecret(given, t.digest)) match = t;
    if (!match) throw new GatewayError("AUTH_FAILED", undefined, { headers: bearerChallenge });
    return { scheme: name, name: match.name, ...(match.jid ? { jid: match.jid } : {}), ...(match.allow ? { allow: match.allow } : {}) };
  };
}
