/**
 * `plugin:` routes: each entry runs a built-in plugin (plugins/) with its options, set up in file
 * order with the other routes; the generation stops each (its RouteStop) before any feature.
 */
import { defineFeature, defineRouteKind } from "../../feature-api.ts";
import type { PluginInstance } from "../../plugin-api/index.ts";
import { checkPluginRoute, PluginRouteSchema } from "./check.ts";
import { setupPlugin } from "./host.ts";
import { pluginOperation } from "./openapi.ts";
import type { PluginRouteConfig } from "./types.ts";

export default defineFeature({
  name: "plugin-routes",
  summary: "Routes that run a built-in plugin.",
  routeKinds: [
    defineRouteKind<PluginRouteConfig>({
      kind: "plugin",
      key: "plugin",
      schema: PluginRouteSchema,
      title: "routes[] with plugin:",
      check: checkPluginRoute,
      label: (route) => `${route.plugin.name} ${route.path}`,
      // Every path below the plugin's: the longest prefix is the route that registered it.
      serves: (route, r) =>
        r.path === route.path || r.path.startsWith(`${route.path.replace(/\/$/, "")}/`) ? route.path.length : undefined,
      operation: (route, served) => pluginOperation(route, served),
    }),
  ],
  start(ctx) {
    const started: Array<{ route: PluginRouteConfig; instance: PluginInstance }> = [];
    return {
      async route(base) {
        const route = base as PluginRouteConfig;
        const instance = await setupPlugin(route, route.auth ? ctx.authenticators.get(route.auth) : undefined, {
          xmpp: ctx.xmpp,
          registry: ctx.http,
          store: ctx.gateway.store,
          storeFailed: ctx.gateway.storeFailed,
          log: ctx.log,
          fetch: ctx.fetch,
          metrics: ctx.pluginMetrics,
        });
        started.push({ route, instance });
        return instance.stop ? () => instance.stop?.() : undefined;
      },
      health: () =>
        started.flatMap(({ route, instance }) => {
          const report = instance.health?.();
          return report ? [{ plugin: route.plugin.name, path: route.path, ...report }] : [];
        }),
    };
  },
});
