import { Type } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";

export const OpenApiSchema = Closed(
  {
    enabled: Type.Boolean({
      default: true,
      description: "Serve an OpenAPI 3.1 description of every route (declarative and plugin) on the HTTP listen address.",
    }),
    path: Type.String({
      default: "/openapi.json",
      pattern: "^/",
      description: "The path of the description; it must not be a route's path.",
    }),
    auth: Type.Optional(
      Type.String({ description: "An auth scheme (a name under auth:) that readers must pass; none by default, whatever the routes use." }),
    ),
  },
  "The generated OpenAPI document (GET /openapi.json).",
);
