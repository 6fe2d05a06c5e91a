/** `kind: header`: the Authorization header must equal one configured value (mod_http_muc_kick). */
import { GatewayError } from "../../../errors.ts";
import type { HeaderAuth } from "./schema.ts";
import type { Identity } from "../../../auth/types.ts";
import { secretEquals } from "../../../auth/credentials.ts";

export function headerCheck(name: string, scheme: HeaderAuth) {
  return async function checkHeader(request: Request): Promise<Identity> {
    const given = request.headers.get("authorization");
    if (given === null) throw new GatewayError("AUTH_REQUIRED");
    if (!secretEquals(given, scheme.value)) throw new GatewayError("AUTH_FAILED");
    return { scheme: name, name };
  };
}
