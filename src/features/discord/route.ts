/**
 * A `preset: discord` entry of routes.yaml: where the webhook is (`path`, whose last segment is
 * the secret, as Discord's `/api/webhooks/<id>/<token>`), who gets the messages (`to`), and an
 * optional auth scheme. Senders that only take a URL (Alertmanager, Grafana, Uptime Kuma) are
 * authenticated by that path alone, so `check` warns when it is short enough to guess.
 */
import { Type } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";
import { checkSchema } from "../../config/check-schema.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { checkAuthRef, checkDuplicate, routeLabel, servedKey } from "../../config/route-checks.ts";
import { checkRecipients, RecipientsSchema, type RouteRoomEntries } from "../../config/route-recipients.ts";
import { checkSecretPath, hideSecret } from "../../config/secret-path.ts";
import type { RouteBase, RouteChecks } from "../../feature-api.ts";

export const DiscordRouteSchema = Closed({
  preset: Type.Literal("discord", { description: "Discord's execute-webhook format (docs/formats.md, Discord)." }),
  path: Type.String({
    pattern: "^/",
    description:
      "The webhook URL's path, e.g. /discord/webhooks/1/<token>: its last segment is the secret (16 or more random characters), as Discord's token. Edits and deletions are served below it, at <path>/messages/<id>.",
  }),
  to: RecipientsSchema,
  auth: Type.Optional(Type.String({ description: "The name of an auth scheme from `auth:`, for senders that can send a header." })),
});

export interface DiscordRoute extends RouteBase {
  readonly kind: "discord";
  readonly to: readonly string[];
  readonly rooms: RouteRoomEntries;
  /** The path without its last segment: what the gateway registers, logs and counts (`/api/webhooks/1`). */
  readonly prefix: string;
  /** The last segment: the secret, never registered, logged or counted (hooks.ts). */
  readonly token: string;
}

/**
 * What the gateway registers for every webhook below `prefix`: the token is a parameter, so the
 * OpenAPI document shows `{token}`, and the request log and the metrics (the kind's secretPath)
 * the pattern and `…`, never a secret.
 */
export const hookPattern = (prefix: string) => `${prefix}/:token`;
/** The messages of one webhook, below it: GET, PATCH and DELETE name one of them. */
export const messagePattern = (prefix: string) => `${prefix}/:token/messages/:message_id`;

/** How the reload log and the metrics name a route: its prefix, and `…` for its secret. */
export const discordLabel = (route: { prefix: string }) => `discord ${route.prefix}/…`;

export function checkDiscordRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): DiscordRoute | undefined {
  const keys = checkSchema(DiscordRouteSchema, raw, at, c.locate, c.diagnostics);
  checkAuthRef(raw.auth, at, c);
  const rooms: RouteRoomEntries = {};
  const to = checkRecipients(raw.to, at, c, rooms);
  const literal = typeof raw.path === "string" && checkSecretPath(raw.path, raw.auth, at, c);
  const split = literal ? splitPath(raw.path as string) : undefined;
  if (typeof split === "string") c.diagnostics.push(c.locate.at([...at, "path"], split));
  if (!keys || !to || typeof split !== "object") return undefined;
  checkServed(split.prefix, keys.path, at, c);
  return { kind: "discord", at: routeLabel(at), path: keys.path, auth: keys.auth, to, rooms, ...split };
}

/** `/api/webhooks/1/<token>` -> its prefix and token, or what is wrong with it. */
function splitPath(path: string): { prefix: string; token: string } | string {
  const segments = path.split("/").filter((s) => s !== "");
  const token = segments.pop();
  if (token === undefined || segments.length === 0)
    return "a discord path has a prefix of its own before its secret (Discord's is /api/webhooks/<id>/<token>)";
  return { prefix: `/${segments.join("/")}`, token };
}

/**
 * The same path twice is one webhook configured twice; the patterns of a prefix are registered
 * once for every webhook below it (hooks.ts), and clash only with another kind's route.
 */
function checkServed(prefix: string, path: string, at: PathSegments, c: RouteChecks): void {
  checkDuplicate(`discord ${path}`, hideSecret(path), at, c);
  if (c.served.has(`discord prefix ${prefix}`)) return;
  c.served.set(`discord prefix ${prefix}`, routeLabel(at));
  const patterns = [
    ...["GET", "POST"].map((method) => `${method} ${hookPattern(prefix)}`),
    ...["GET", "PATCH", "DELETE"].map((method) => `${method} ${messagePattern(prefix)}`),
  ];
  // One clash is one mistake: the first method and path another route serves is enough to say.
  const clash = patterns.find((key) => c.served.has(servedKey(key)));
  for (const key of clash ? [clash] : patterns) checkDuplicate(key, hideSecret(path), at, c);
}
