/**
 * Checks a `preset: slack` / `preset: mattermost` entry: the schema, each recipient a JID, the
 * auth scheme's name, the path served once. The path is the secret a URL-only sender holds (it
 * cannot send a header): config/secret-path.ts.
 */
import { checkSchema } from "../../config/check-schema.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { checkAuthRef, checkDuplicate, routeLabel } from "../../config/route-checks.ts";
import { checkRecipients, type RouteRoomEntries } from "../../config/route-recipients.ts";
import { checkSecretPath, hideSecret } from "../../config/secret-path.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { type Format, type FormatRouteConfig, formatRouteSchema } from "./schema.ts";

export function checkFormatRoute(format: Format) {
  const schema = formatRouteSchema(format);
  return function checkRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): FormatRouteConfig | undefined {
    const entry = checkSchema(schema, raw, at, c.locate, c.diagnostics);
    checkAuthRef(raw.auth, at, c);
    const rooms: RouteRoomEntries = {};
    const to = checkRecipients(raw.to, at, c, rooms);
    const path = typeof raw.path === "string" && raw.path.startsWith("/") ? raw.path : undefined;
    if (path && checkSecretPath(path, raw.auth, at, c)) checkDuplicate(`POST ${path}`, hideSecret(path), at, c);
    if (!entry || !to || !path) return undefined;
    return { kind: format, at: routeLabel(at), path, method: "POST", auth: entry.auth, to, rooms };
  };
}
