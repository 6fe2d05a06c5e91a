/** How a plugin route describes itself in the OpenAPI document: the plugin's name and summary, a generic body. */
import { opaqueOperation } from "../../http/openapi.ts";
import type { ServedRoute } from "../../feature-api.ts";
import type { PluginRouteConfig } from "./types.ts";

type Json = Record<string, unknown>;

export function pluginOperation(route: PluginRouteConfig, r: ServedRoute): Json {
  const { name, summary } = route.plugin;
  const { operationId, summary: said, ...rest } = opaqueOperation(r, `${name}: ${summary}`);
  // The tag right after the summary, where the document has always had it.
  return { operationId, summary: said, tags: [name], ...rest };
}
