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
import { fileBodyLimit } from "../../files/service.ts";

/**
 * The bodies an apprise route takes where attachments are on: the Apprise API's multipart up to a
 * file at attachments.max_file_bytes (files/service.ts), json:// up to one in base64 (RFC 4648
 * §4: 4 characters for every 3 bytes) with the rest of the JSON.
 */
function bodyLimits(settings: { max_file_bytes: number } | undefined): { json?: number; api?: number } {
  if (!settings) return {};
  return { api: fileBodyLimit(settings), json: fileBodyLimit({ max_file_bytes: Math.ceil((settings.max_file_bytes * 4) / 3) }) };
}

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
        const limits = bodyLimits(ctx.files?.settings);
        // json:// carries its files in the JSON itself: the whole body is read within its larger bound.
        ctx.http.add("POST", route.path, jsonHandler(route, { ...deps, maxBodyBytes: limits.json ?? deps.maxBodyBytes }), {
          ...(limits.json ? { maxBodyBytes: limits.json } : {}),
        });
        // The API's files stream into the store; its fields stay within http.max_body_bytes.
        const api = { refuse: apiRefusal, ...(limits.api ? { maxBodyBytes: limits.api } : {}) };
        ctx.http.add("POST", notifyPath(route), apiHandler(route, deps), api);
        ctx.http.add("POST", `${notifyPath(route)}/:key`, apiHandler(route, deps), api);
      },
    };
  },
});
