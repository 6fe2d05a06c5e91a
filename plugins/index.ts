/** The built-in plugins, by the name routes.yaml uses. Add a plugin here when its folder lands. */
import type { PluginDefinition } from "../src/plugin-api.ts";

export const BUILTIN_PLUGINS: ReadonlyMap<string, PluginDefinition> = new Map(
  ([] as PluginDefinition[]).map((p) => [p.name, p]),
);
