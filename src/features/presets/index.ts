/**
 * `preset: NAME` routes: a built-in declarative route for a well-known webhook source, with the
 * user's `to`, `path`, `auth` and `name` put in. It compiles to the declarative route it is.
 */
import { defineFeature, defineRouteKind } from "../../feature-api.ts";
import { checkPresetRoute, PresetRouteSchema } from "./expand.ts";

export default defineFeature({
  name: "presets",
  summary: "Built-in routes for well-known webhook sources.",
  routeKinds: [
    defineRouteKind({
      key: "preset",
      schema: PresetRouteSchema,
      title: "routes[] with preset:",
      check: checkPresetRoute,
    }),
  ],
});
