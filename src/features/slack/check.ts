/**
 * Checks a `preset: slack` / `preset: mattermost` entry: the schema, each recipient a JID, the
 * auth scheme's name, the path served once. The path is the secret a URL-only sender holds (it
 * cannot send a header): a `:param` in it would match any value, and a short last segment can be
 * guessed, which `check` says as a warning.
 */
import { checkSchema } from "../../config/check-schema.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { checkAuthRef, checkDuplicate, routeLabel } from "../../config/route-checks.ts";
import { checkRecipients } from "../../config/route-recipients.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { type Format, type FormatRouteConfig, formatRouteSchema } from "./schema.ts";

/** 16 characters of base32 are 80 bits; Mattermost's hook ids are 26, Slack's secrets 24. */
const MIN_SECRET_CHARS = 16;

export function checkFormatRoute(format: Format) {
  const schema = formatRouteSchema(format);
  return function checkRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): FormatRouteConfig | undefined {
    const entry = checkSchema(schema, raw, at, c.locate, c.diagnostics);
    checkAuthRef(raw.auth, at, c);
    const to = checkRecipients(raw.to, at, c);
    const path = typeof raw.path === "string" && raw.path.startsWith("/") ? raw.path : undefined;
    if (path && checkPath(path, at, c)) {
      checkDuplicate(`POST ${path}`, path, at, c);
      if (raw.auth === undefined) warnShortSecret(path, at, c);
    }
    if (!entry || !to || !path) return undefined;
    return { kind: format, at: routeLabel(at), path, method: "POST", auth: entry.auth, to };
  };
}

function checkPath(path: string, at: PathSegments, c: RouteChecks): boolean {
  if (!/\/[:*]/.test(path)) return true;
  c.diagnostics.push(c.locate.at([...at, "path"], "the path is the webhook's secret URL: it cannot have :params or a * tail"));
  return false;
}

function warnShortSecret(path: string, at: PathSegments, c: RouteChecks): void {
  const secret = path.split("/").at(-1) ?? "";
  if (secret.length >= MIN_SECRET_CHARS) return;
  const found = secret === "" ? "it ends with /" : `its last segment ${JSON.stringify(secret)} has ${secret.length} characters`;
  c.warnings.push({
    ...c.locate.at(
      [...at, "path"],
      `the path is the only secret a webhook sender holds, and ${found}: end it with ${MIN_SECRET_CHARS} or more random characters (openssl rand -hex 16), or set auth`,
    ),
    severity: "warning",
  });
}
