/** How a plugin route describes itself in the OpenAPI document: the plugin's name and summary, a generic body. */
import { ERROR, operationId } from "../../http/openapi.ts";
import type { ServedRoute } from "../../feature-api.ts";
import type { PluginRouteConfig } from "./types.ts";

type Json = Record<string, unknown>;

export function pluginOperation(route: PluginRouteConfig, r: ServedRoute): Json {
  const plugin = route.plugin;
  const body = r.method === "GET" || r.method === "HEAD" ? {} : { requestBody: { content: { "*/*": { schema: {} } } } };
  return {
    operationId: operationId(r.method, r.path),
    summary: `${plugin.name}: ${plugin.summary}`,
    tags: [plugin.name],
    ...body,
    responses: {
      "200": { description: "See the plugin's README" },
      "201": { description: "See the plugin's README" },
      "202": { description: "Queued" },
      "400": ERROR,
      "401": ERROR,
      "403": ERROR,
      "503": ERROR,
    },
  };
}
