/**
 * The path of a webhook URL as its secret (Slack, Mattermost, Teams, Discord): the tools that send
 * to these formats take a URL and nothing else, so the last segment of the path is all that keeps
 * others from posting. One check for every format that has one: the path is literal (a `:param`
 * or a `*` tail would match any value), and a short last segment, guessable, is warned of unless
 * an auth scheme guards the route.
 */
import type { PathSegments } from "./diagnostics.ts";
import type { RouteChecks } from "./feature-shape.ts";
export { hideSecret } from "../http/route-labels.ts";

/**
 * 16 random characters are 80 bits of base32, 95 of [A-Za-z0-9]: out of reach of guessing over
 * HTTP (NIST SP 800-63B §5.1.1.2 asks 112 bits of a memorized secret, 64 of a look-up one).
 * Mattermost's hook ids are 26 characters, Slack's secrets 24, Discord's tokens 68.
 */
const MIN_SECRET_CHARS = 16;

/** False (an error pushed) when the path cannot be a secret; a short one is only warned of. */
export function checkSecretPath(path: string, auth: unknown, at: PathSegments, c: RouteChecks): boolean {
  const where = [...at, "path"];
  if (/\/[:*]/.test(path)) {
    c.diagnostics.push(c.locate.at(where, "the path is the webhook's secret URL: it cannot have :params or a * tail"));
    return false;
  }
  const secret = path.split("/").at(-1) ?? "";
  if (auth !== undefined || secret.length >= MIN_SECRET_CHARS) return true;
  // Its length only: a warning reaches the server log, which never shows a secret.
  const found = secret === "" ? "it ends with /" : `its last segment has ${secret.length} characters`;
  const message = `the path is the only secret a webhook sender holds, and ${found}: end it with ${MIN_SECRET_CHARS} or more random characters (openssl rand -hex 16), or set auth`;
  c.warnings.push({ ...c.locate.at(where, message), severity: "warning" });
  return true;
}
