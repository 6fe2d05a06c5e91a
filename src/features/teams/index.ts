/**
 * `preset: teams` routes: a Microsoft Teams incoming webhook, for the tools that post cards to
 * Teams (Grafana's Teams contact point, Uptime Kuma, Alertmanager 0.26+, scripts): Workflows'
 * Adaptive Card messages and the legacy connector's MessageCards, each a chat message to the
 * route's recipients. docs/formats.md, ## Microsoft Teams.
 */
import { defineFeature, defineRouteKind } from "../../feature-api.ts";
import { formatPorts } from "../../notify/ports.ts";
import { formatRooms } from "../../notify/rooms.ts";
import { checkTeamsRoute } from "./check.ts";
import { teamsHandler, teamsRefusal, unknownTeamsHook } from "./handler.ts";
import { TeamsRouteSchema, type TeamsRoute } from "./schema.ts";
import example from "./example.yaml" with { type: "text" };

export default defineFeature({
  name: "teams",
  summary: "Microsoft Teams webhooks (Workflows Adaptive Cards, legacy MessageCards) as chat messages.",
  routeKinds: [
    defineRouteKind<TeamsRoute>({
      kind: "teams",
      key: "preset",
      value: "teams",
      example,
      schema: TeamsRouteSchema,
      title: "routes[] with preset: teams",
      check: checkTeamsRoute,
      label: (route) => `teams ${route.path}`,
      serves: (route, r) => (r.method === "POST" && r.path === route.path ? Number.MAX_SAFE_INTEGER : undefined),
      // The path is the webhook's secret: hidden in logs, metrics and /openapi.json (RouteKind.secretPath).
      secretPath: true,
    }),
  ],
  async start(ctx) {
    const rooms = await formatRooms(ctx, "teams", ["teams"]);
    return {
      ...rooms.runtime,
      route(base) {
        const route = base as TeamsRoute;
        // A refusal before the body is read cannot know the card: it is in the Workflows shape.
        ctx.http.add("POST", route.path, teamsHandler(route, formatPorts(route, ctx, rooms.port(route))), {
          refuse: (err) => teamsRefusal("workflows", err),
        });
        ctx.http.unknown(route.path.replace(/[^/]*$/, ""), unknownTeamsHook);
      },
    };
  },
});
