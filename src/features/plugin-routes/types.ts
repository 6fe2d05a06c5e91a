import type { PluginDefinition } from "../../plugin-api/index.ts";

/** A `plugin:` route, checked: its plugin's definition and its options as the plugin's schema gives them. */
export interface PluginRouteConfig {
  kind: "plugin";
  at: string;
  plugin: PluginDefinition;
  path: string;
  auth: string | undefined;
  options: unknown;
}
