/**
 * `preset: apprise` routes: Apprise's own targets, for every tool that notifies through Apprise
 * (Uptime Kuma's Apprise provider, changedetection, scripts calling `apprise`): `json://` posts to
 * the route's path, `apprise://` (the Apprise API) to `<path>/notify/<key>`. Each notification is
 * a chat message to the route's recipients. docs/formats.md, ## Apprise.
 */
import { defineFeature, defineRouteKind } from "../../feature-api.ts";
import { formatPorts } from "../../notify/ports.ts";
import { formatRooms } from "../../notify/rooms.ts";
import { checkAppriseRoute } from "./check.ts";
import { apiHandler, apiRefusal, jsonHandler } from "./handler.ts";
import { appriseOperation } from "./openapi.ts";
import { AppriseRouteSchema, notifyPath, type AppriseRoute } from "./schema.ts";
import example from "./example.yaml" with { type: "text" };

export default defineFeature({
  name: "apprise",
  summary: "Apprise's json:// notifications and the Apprise API (POST /notify/<key>) as chat messages.",
  routeKinds: [
    defineRouteKind<AppriseRoute>({
      kind: "apprise",
      key: "preset",
      value: "apprise",
      example,
      schema: AppriseRouteSchema,
      title: "routes[] with preset: apprise",
      check: checkAppriseRoute,
      label: (route) => `apprise ${route.path}`,
      serves: (route, r) =>
        r.method === "POST" && (r.path === route.path || r.path.startsWith(notifyPath(route))) ? Number.MAX_SAFE_INTEGER : undefined,
      operation: (route, served) => appriseOperation(route, served),
    }),
  ],
  async start(ctx) {
    const rooms = await formatRooms(ctx, "apprise", ["apprise"]);
    return {
      ...rooms.runtime,
      route(base) {
        const route = base as AppriseRoute;
        const deps = formatPorts(route, ctx, rooms.port(route));
        ctx.http.add("POST", route.path, jsonHandler(route, deps));
        ctx.http.add("POST", notifyPath(route), apiHandler(route, deps), { refuse: apiRefusal });
        ctx.http.add("POST", `${notifyPath(route)}/:key`, apiHandler(route, deps), { refuse: apiRefusal });
      },
    };
  },
});
