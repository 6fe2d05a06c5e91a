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
import { checkAuthRef, checkDuplicate, routeLabel } from "../../config/route-checks.ts";
import type { RouteBase, RouteChecks } from "../../feature-api.ts";
import { isJid } from "../../kit/jid.ts";

export const DiscordRouteSchema = Closed({
  preset: Type.Literal("discord", { description: "Discord's execute-webhook format (docs/formats.md, Discord)." }),
  path: Type.String({
    pattern: "^/",
    description:
      "The webhook URL's path, e.g. /discord/webhooks/1/<token>: its last segment is the secret (16 or more random characters), as Discord's token. Edits and deletions are served below it, at <path>/messages/<id>.",
  }),
  to: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
    description: "Who gets the messages: one JID or a list.",
  }),
  auth: Type.Optional(Type.String({ description: "The name of an auth scheme from `auth:`, for senders that can send a header." })),
});

export interface DiscordRoute extends RouteBase {
  readonly kind: "discord";
  readonly to: readonly string[];
}

/** An unguessable path: as many characters as a Discord token needs to be out of reach (NIST SP 800-63B §5.1.1.2 asks 112 bits of a secret). */
const MIN_SECRET_CHARS = 16;

/** The messages of one webhook, below its path: PATCH and DELETE name one of them. */
export const messagePath = (path: string) => `${path.replace(/\/$/, "")}/messages/:message_id`;

export function checkDiscordRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): DiscordRoute | undefined {
  const keys = checkSchema(DiscordRouteSchema, raw, at, c.locate, c.diagnostics);
  checkAuthRef(raw.auth, at, c);
  const to = recipients(raw.to, at, c);
  const literal = typeof raw.path === "string" && !/\/[:*]/.test(raw.path);
  if (!literal && typeof raw.path === "string")
    c.diagnostics.push(c.locate.at([...at, "path"], "a discord path is literal: no :param or * segments"));
  if (!keys || !to || !literal) return undefined;
  // One clash is one mistake: the first method and path another route serves is enough to say.
  const served = servedKeys(keys.path);
  const clash = served.find((key) => c.served.has(key));
  for (const key of clash ? [clash] : served) checkDuplicate(key, keys.path, at, c);
  const secret =
    keys.path
      .split("/")
      .filter((s) => s !== "")
      .at(-1) ?? "";
  if (keys.auth === undefined && secret.length < MIN_SECRET_CHARS)
    c.warnings.push({
      ...c.locate.at(
        [...at, "path"],
        `the last segment of the path is the webhook's only secret, and "${secret}" has ${secret.length} characters: use ${MIN_SECRET_CHARS} or more random ones (openssl rand -hex 16), or an auth scheme`,
      ),
      severity: "warning",
    });
  return { kind: "discord", at: routeLabel(at), path: keys.path, auth: keys.auth, to };
}

const servedKeys = (path: string) => [
  ...["GET", "POST"].map((method) => `${method} ${path}`),
  ...["GET", "PATCH", "DELETE"].map((method) => `${method} ${messagePath(path)}`),
];

function recipients(raw: unknown, at: PathSegments, c: RouteChecks): string[] | undefined {
  const list = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
  const bad = list.findIndex((j) => typeof j !== "string" || !isJid(j));
  if (bad !== -1)
    c.diagnostics.push(
      c.locate.at(typeof raw === "string" ? [...at, "to"] : [...at, "to", bad], `${JSON.stringify(list[bad])} is not a JID`),
    );
  return list.length && bad === -1 ? (list as string[]) : undefined;
}
