import { Type } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";

export const MetricsSchema = Closed(
  {
    enabled: Type.Boolean({ default: true, description: "Serve Prometheus metrics on the HTTP listen address." }),
    path: Type.String({
      default: "/metrics",
      pattern: "^/",
      description: "The path of the metrics endpoint; it must not be a route's path.",
    }),
    auth: Type.Optional(
      Type.String({
        description: "An auth scheme (a name under auth:) that scrapers must pass; none by default, whatever the routes use.",
      }),
    ),
  },
  "The Prometheus /metrics endpoint (text exposition format).",
);
