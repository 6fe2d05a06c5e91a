/**
 * Checks a `preset: apprise` entry: its keys, its recipients and its auth scheme's name. Any kind
 * of scheme fits: Apprise sends Basic credentials from its URL, and json:// any header.
 */
import { checkSchema } from "../../config/check-schema.ts";
import { checkAuthRef, checkDuplicate, routeLabel } from "../../config/route-checks.ts";
import { checkRecipients, type RouteRoomEntries } from "../../config/route-recipients.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { AppriseRouteSchema, jsonPath, notifyPath, type AppriseRoute } from "./schema.ts";

export function checkAppriseRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): AppriseRoute | undefined {
  const keys = checkSchema(AppriseRouteSchema, raw, at, c.locate, c.diagnostics);
  const rooms: RouteRoomEntries = {};
  const to = checkRecipients(raw.to, at, c, rooms);
  checkAuthRef(raw.auth, at, c);
  if (!keys || !to) return undefined;
  const path = jsonPath(keys.path);
  checkDuplicate(`POST ${path}`, path, at, c);
  checkDuplicate(`POST ${notifyPath({ path })}/:key`, `${notifyPath({ path })}/<key>`, at, c);
  return { kind: "apprise", at: routeLabel(at), path, auth: keys.auth, to, rooms };
}
