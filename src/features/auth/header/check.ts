/**
 * `kind: header`: one header (Authorization unless `header:` names another, as GitLab's
 * X-Gitlab-Token) must equal one configured value (mod_http_muc_kick). Header names are
 * case-insensitive (RFC 9110 §5.1), as Headers.get is.
 */
import { GatewayError } from "../../../plugin-api/errors.ts";
import { DEFAULT_HEADER, type HeaderAuth } from "./schema.ts";
import type { Identity } from "../../../auth/types.ts";
import { sameSecret, secretDigest } from "../../../auth/credentials.ts";

export function headerCheck(name: string, scheme: HeaderAuth) {
  const header = scheme.header ?? DEFAULT_HEADER;
  const expected = secretDigest(scheme.value);
  return async function checkHeader(request: Request): Promise<Identity> {
    const given = request.headers.get(header);
    if (given === null) throw new GatewayError("AUTH_REQUIRED");
    if (!sameSecret(secretDigest(given), expected)) throw new GatewayError("AUTH_FAILED");
    return { scheme: name, name };
  };
}
