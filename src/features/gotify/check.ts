/**
 * Checks a `preset: gotify` entry: its keys, its recipients, and its auth scheme, which must be
 * a `kind: bearer` one. Gotify has no anonymous messages (router.go puts POST /message behind
 * an application token), so neither does this route: a sender of Gotify's always has a token.
 */
import { checkSchema } from "../../config/check-schema.ts";
import { checkAuthRef, checkDuplicate, routeLabel } from "../../config/route-checks.ts";
import { checkRecipients, type RouteRoomEntries } from "../../config/route-recipients.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { deletePath, GotifyRouteSchema, messagePath, type GotifyRoute } from "./schema.ts";

export function checkGotifyRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): GotifyRoute | undefined {
  const keys = checkSchema(GotifyRouteSchema, raw, at, c.locate, c.diagnostics);
  const rooms: RouteRoomEntries = {};
  const to = checkRecipients(raw.to, at, c, rooms);
  const auth = bearerScheme(raw.auth, at, c);
  if (!keys || !to || !auth) return undefined;
  // `/gotify` and `/gotify/` both mean "the server is at /gotify": its messages are /gotify/message.
  const path = keys.path.endsWith("/") ? keys.path : `${keys.path}/`;
  checkDuplicate(`POST ${messagePath({ path })}`, messagePath({ path }), at, c);
  checkDuplicate(`DELETE ${deletePath({ path })}`, deletePath({ path }), at, c);
  return { kind: "gotify", at: routeLabel(at), path, auth, to, rooms };
}

/** The scheme's name, when it names a bearer scheme (a missing key is the schema's diagnostic). */
function bearerScheme(name: unknown, at: PathSegments, c: RouteChecks): string | undefined {
  if (name === undefined) {
    c.diagnostics.push(
      c.locate.at(
        at,
        "a gotify route needs auth: the name of a kind: bearer scheme (Gotify accepts no message without an application token)",
      ),
    );
    return undefined;
  }
  if (typeof name !== "string") return undefined;
  checkAuthRef(name, at, c);
  const scheme = c.auth[name];
  if (scheme && scheme.kind !== "bearer")
    c.diagnostics.push(
      c.locate.at(
        [...at, "auth"],
        `a gotify route needs a kind: bearer scheme (Gotify senders send an application token), "${name}" is kind: ${scheme.kind}`,
      ),
    );
  return scheme?.kind === "bearer" ? name : undefined;
}
