/**
 * `preset: slack` and `preset: mattermost`: the incoming-webhook formats that Grafana,
 * Alertmanager, Uptime Kuma, apprise (mmost://), GitLab, TrueNAS and many more already send,
 * read into one notification per request and delivered to the route's recipients. The path is
 * the secret, as in the vendors' URLs, so it stays out of the OpenAPI document, the logs and the
 * metric labels.
 */
import { defineFeature, defineRouteKind, type FeatureContext } from "../../feature-api.ts";
import { formatPorts } from "../../notify/ports.ts";
import { formatRooms, type GroupchatPort } from "../../notify/rooms.ts";
import { checkFormatRoute } from "./check.ts";
import { SLACK_ERRORS } from "./errors.ts";
import { refusal, unknownHook } from "./answer.ts";
import { type WebhookDeps, webhookHandler } from "./handler.ts";
import { type Format, type FormatRouteConfig, formatRouteSchema } from "./schema.ts";
import mattermostExample from "./mattermost.example.yaml" with { type: "text" };
import slackExample from "./slack.example.yaml" with { type: "text" };

const formatKind = (format: Format) =>
  defineRouteKind<FormatRouteConfig>({
    kind: format,
    key: "preset",
    value: format,
    example: format === "slack" ? slackExample : mattermostExample,
    schema: formatRouteSchema(format),
    title: `routes[] with preset: ${format}`,
    check: checkFormatRoute(format),
    label: (route) => `${format} POST ${route.path}`,
    serves: (route, r) => (r.method === "POST" && r.path === route.path ? Number.MAX_SAFE_INTEGER : undefined),
    secretPath: true,
  });

export default defineFeature({
  name: "slack",
  summary: "Slack and Mattermost incoming webhooks.",
  routeKinds: [formatKind("slack"), formatKind("mattermost")],
  errors: { http: SLACK_ERRORS },
  async start(ctx) {
    const rooms = await formatRooms(ctx, "slack", ["slack", "mattermost"]);
    return {
      ...rooms.runtime,
      route(base) {
        const route = base as FormatRouteConfig;
        ctx.http.add("POST", route.path, webhookHandler(route, deps(route, ctx, rooms.port(route))), {
          refuse: (err) => refusal(route.kind, err),
        });
        ctx.http.unknown(route.path.replace(/[^/]*$/, ""), () => unknownHook(route.kind));
      },
    };
  },
});

function deps(route: FormatRouteConfig, ctx: FeatureContext, groupchat: GroupchatPort | undefined): WebhookDeps {
  return formatPorts(route, ctx, groupchat);
}
