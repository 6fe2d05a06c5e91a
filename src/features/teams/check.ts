/**
 * Checks a `preset: teams` entry. A Teams webhook URL carries no credentials but its own
 * unguessable path (Microsoft's are long random tokens), and the tools that send to Teams take a
 * URL and nothing else: a short last segment is a guessable secret, so `check` warns.
 */
import { checkSchema } from "../../config/check-schema.ts";
import { checkAuthRef, checkDuplicate, routeLabel } from "../../config/route-checks.ts";
import { checkRecipients } from "../../config/route-recipients.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { TeamsRouteSchema, type TeamsRoute } from "./schema.ts";

/** 16 random characters of [A-Za-z0-9] are about 95 bits: beyond guessing over HTTP. */
const MIN_SECRET_CHARS = 16;

export function checkTeamsRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): TeamsRoute | undefined {
  const keys = checkSchema(TeamsRouteSchema, raw, at, c.locate, c.diagnostics);
  const to = checkRecipients(raw.to, at, c);
  checkAuthRef(raw.auth, at, c);
  if (!keys || !to) return undefined;
  const path = keys.path.length > 1 ? keys.path.replace(/\/+$/, "") : keys.path;
  const secret = path.split("/").at(-1) ?? "";
  if (secret.length < MIN_SECRET_CHARS && keys.auth === undefined)
    c.warnings.push({
      ...c.locate.at(
        [...at, "path"],
        `the last segment of a teams path is its secret: "${secret}" has ${secret.length} characters, at least ${MIN_SECRET_CHARS} random ones keep it unguessable (\`openssl rand -hex 16\`)`,
      ),
      severity: "warning",
    });
  checkDuplicate(`POST ${path}`, path, at, c);
  return { kind: "teams", at: routeLabel(at), path, auth: keys.auth, to };
}
