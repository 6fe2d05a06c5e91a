/**
 * A `plugin:` routes[] entry: its plugin by name, its options against the plugin's schema and the
 * plugin's own checks, its path, and the stanzas it claims against every other route's.
 */
import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { Closed } from "../../config/schema.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { checkSchema } from "../../config/check-schema.ts";
import { didYouMean } from "../../config/suggest.ts";
import { checkAuthRef, checkDuplicate, routeLabel, validPath } from "../../config/route-checks.ts";
import type { RouteChecks } from "../../feature-api.ts";
import type { PluginDefinition } from "../../plugin-api/index.ts";
import type { PluginRouteConfig } from "./types.ts";

const Path = Type.String({ pattern: "^/", description: "The HTTP path; `:name` segments become params.name." });

export const PluginRouteSchema = Closed({
  plugin: Type.String({ description: "A built-in plugin's name." }),
  path: Type.Optional(Path),
  auth: Type.Optional(Type.String({ description: "The name of an auth scheme from `auth:`." })),
  options: Type.Optional(Type.Unknown({ description: "The plugin's options (see its README)." })),
});

export function checkPluginRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): PluginRouteConfig | undefined {
  const route = checkSchema(PluginRouteSchema, raw, at, c.locate, c.diagnostics);
  checkAuthRef(raw.auth, at, c);
  const plugin = typeof raw.plugin === "string" ? findPlugin(raw.plugin, at, c) : undefined;
  if (!plugin) return undefined;
  const auth = typeof raw.auth === "string" ? raw.auth : undefined;
  if (plugin.requiresAuth && raw.auth === undefined) {
    c.diagnostics.push(c.locate.at(at, `plugin ${plugin.name} needs an auth scheme: add auth: <name> (anyone could call it otherwise)`));
  }
  const options = checkOptions(plugin, raw.options, auth, at, c);
  const path = raw.path === undefined ? plugin.defaultPath : validPath(raw.path);
  if (path && !plugin.noHttpPath) checkDuplicate(`* ${path}`, path, at, c);
  if (options !== undefined && path && c.xmpp) checkClaims(plugin, options, path, at, c);
  if (!route || options === undefined || !path) return undefined;
  return { kind: "plugin", at: routeLabel(at), plugin, path, auth, options };
}

function findPlugin(name: string, at: PathSegments, c: RouteChecks): PluginDefinition | undefined {
  const plugin = c.plugins.get(name);
  if (plugin) return plugin;
  const known = [...c.plugins.keys()].sort();
  c.diagnostics.push(
    c.locate.at([...at, "plugin"], `no built-in plugin named "${name}"${didYouMean(name, known)} (known: ${known.join(", ")})`),
  );
  return undefined;
}

/**
 * The options against the plugin's schema, then the plugin's own checks. Those also run when the
 * only schema problems are unknown keys (a typo): with those keys set aside, the rest is valid.
 */
function checkOptions(plugin: PluginDefinition, raw: unknown, auth: string | undefined, at: PathSegments, c: RouteChecks): unknown {
  const options = checkSchema(plugin.options, raw ?? {}, [...at, "options"], c.locate, c.diagnostics);
  const cleaned = options ?? Value.Clean(plugin.options, Value.Default(plugin.options, structuredClone(raw ?? {})));
  if (options !== undefined || Value.Check(plugin.options, cleaned)) {
    for (const p of plugin.validate?.(cleaned, { auth }, c.xmpp) ?? []) c.diagnostics.push(c.locate.at([...at, ...p.path], p.message));
  }
  return options;
}

/** Two routes claiming the same stanzas (src/xmpp/router.ts): the later would never get them. */
function checkClaims(plugin: PluginDefinition, options: unknown, path: string, at: PathSegments, c: RouteChecks): void {
  for (const { claim, path: where } of plugin.stanzas?.(options, { path }, { component: c.xmpp?.component ?? "" }) ?? []) {
    const what =
      "address" in claim
        ? `address ${claim.address.toLowerCase()}`
        : "localPart" in claim
          ? `local part "${claim.localPart}"`
          : "every JID of the component (no local_parts)";
    const here = c.locate.at([...at, ...where], "");
    const first = c.claimed.get(what);
    if (first)
      here.message = `${what} is already claimed by ${first.route} (line ${first.line}, col ${first.col}): only one route can get these stanzas`;
    if (first) c.diagnostics.push(here);
    else c.claimed.set(what, { route: routeLabel(at), line: here.line, col: here.col });
  }
}
