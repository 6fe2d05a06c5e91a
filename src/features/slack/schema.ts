/** A `preset: slack` or `preset: mattermost` entry of routes[], and what it compiles to. */
import { Type } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";
import { RecipientsSchema, type RouteRoomEntries } from "../../config/route-recipients.ts";
import type { RouteBase } from "../../feature-api.ts";

export type Format = "slack" | "mattermost";

const VENDOR: Record<Format, string> = {
  slack: "a Slack incoming webhook (Grafana, Alertmanager's slack_configs, Uptime Kuma, TrueNAS, LibreNMS…)",
  mattermost: "a Mattermost incoming webhook (apprise mmost://, Uptime Kuma, GitLab's Mattermost integration…)",
};

export function formatRouteSchema(format: Format) {
  return Closed({
    preset: Type.Literal(format, { description: `Accepts what ${VENDOR[format]} sends, answering \`ok\` as it expects.` }),
    path: Type.String({
      pattern: "^/",
      description:
        "The HTTP path, which senders only know as a whole URL: its last segment is the secret, as in the vendor's webhook URLs (check warns when it is shorter than 16 characters and no `auth` is set).",
    }),
    to: RecipientsSchema,
    auth: Type.Optional(Type.String({ description: "The name of an auth scheme from `auth:`, for senders that can send credentials." })),
  });
}

/** A checked entry: POST at its path, delivered to `to`. */
export interface FormatRouteConfig extends RouteBase {
  readonly kind: Format;
  readonly method: "POST";
  readonly to: readonly string[];
  readonly rooms: RouteRoomEntries;
}
