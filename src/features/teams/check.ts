/**
 * Checks a `preset: teams` entry. A Teams webhook URL carries no credentials but its own
 * unguessable path (Microsoft's are long random tokens), and the tools that send to Teams take a
 * URL and nothing else: config/secret-path.ts.
 */
import { checkSchema } from "../../config/check-schema.ts";
import { checkAuthRef, checkDuplicate, routeLabel } from "../../config/route-checks.ts";
import { checkRecipients, type RouteRoomEntries } from "../../config/route-recipients.ts";
import { checkSecretPath, hideSecret } from "../../config/secret-path.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { TeamsRouteSchema, type TeamsRoute } from "./schema.ts";

export function checkTeamsRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): TeamsRoute | undefined {
  const keys = checkSchema(TeamsRouteSchema, raw, at, c.locate, c.diagnostics);
  const rooms: RouteRoomEntries = {};
  const to = checkRecipients(raw.to, at, c, rooms);
  checkAuthRef(raw.auth, at, c);
  if (!keys || !to) return undefined;
  const path = keys.path.length > 1 ? keys.path.replace(/\/+$/, "") : keys.path;
  if (!checkSecretPath(path, keys.auth, at, c)) return undefined;
  checkDuplicate(`POST ${path}`, hideSecret(path), at, c);
  return { kind: "teams", at: routeLabel(at), path, auth: keys.auth, to, rooms };
}
