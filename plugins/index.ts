/** The built-in plugins, by the name routes.yaml uses. Add a plugin here when its folder lands. */
import type { PluginDefinition } from "../src/plugin-api/index.ts";
import rosterAdmin from "./roster_admin/index.ts";
import componentHttp from "./component_http/index.ts";
import mucKick from "./muc_kick/index.ts";
import postMsg from "./post_msg/index.ts";

const DEFINITIONS = [rosterAdmin, componentHttp, mucKick, postMsg] as PluginDefinition[];

export const BUILTIN_PLUGINS: ReadonlyMap<string, PluginDefinition> = new Map(DEFINITIONS.map((p) => [p.name, p]));
