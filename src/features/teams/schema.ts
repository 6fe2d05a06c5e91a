/** `preset: teams` under routes: its keys, and the route they compile to. */
import { Type } from "@sinclair/typebox";
import { RecipientsSchema, type RouteRoomEntries } from "../../config/route-recipients.ts";
import { Closed } from "../../config/schema.ts";
import type { RouteBase } from "../../feature-api.ts";

export const TeamsRouteSchema = Closed({
  preset: Type.Literal("teams", {
    description: "A Microsoft Teams incoming webhook: Workflows' Adaptive Card messages and the legacy connector's MessageCard.",
  }),
  path: Type.String({
    pattern: "^/",
    description:
      "The webhook URL's path. Teams senders give no credentials, so the path is the secret: end it with a long random segment (`check` warns under 16 characters).",
  }),
  to: RecipientsSchema,
  auth: Type.Optional(
    Type.String({
      description: "The name of an auth scheme from `auth:`, for senders that can add credentials (Grafana's HTTP settings).",
    }),
  ),
});

export interface TeamsRoute extends RouteBase {
  readonly kind: "teams";
  readonly to: readonly string[];
  readonly rooms: RouteRoomEntries;
}
