/**
 * routes[] items: a plugin route against its plugin's option schema and checks, or a declarative
 * route with its template compiled and its body spec; then auth names and duplicate paths.
 */
import { PluginRouteSchema, DeclarativeRouteSchema } from "./route-schema.ts";
import type { AuthScheme } from "./auth-schema.ts";
import { pointerToPath, type Diagnostic, type PathSegments, type SourceLocator } from "./diagnostics.ts";
import { checkSchema } from "./check-schema.ts";
import { suggest } from "./suggest.ts";
import { compileTemplate, TemplateError, type CompiledTemplate } from "../engine/template.ts";
import { compileBody } from "../engine/body-spec.ts";
import type { PluginRegistry, RouteConfig } from "./load.ts";

export interface RouteChecks {
  auth: Record<string, AuthScheme>;
  /** The xmpp section when it is valid: plugins check addresses against the component domain. */
  xmpp: { component: string; host: string } | undefined;
  plugins: PluginRegistry;
  locate: SourceLocator;
  diagnostics: Diagnostic[];
}

export function checkRoute(raw: unknown, index: number, c: RouteChecks): RouteConfig | undefined {
  const at: PathSegments = ["routes", index];
  const label = `routes[${index}]`;
  if (raw !== null && typeof raw === "object" && "plugin" in raw) return checkPluginRoute(raw, at, label, c);
  const route = checkSchema(DeclarativeRouteSchema, raw, at, c.locate, c.diagnostics);
  if (!route) return undefined;
  checkAuthRef(route.auth, at, c);
  let template: CompiledTemplate;
  try {
    template = compileTemplate(route.send);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    c.diagnostics.push(c.locate.inValue([...at, "send"], `bad template: ${err.message}`, err.offset));
    return undefined;
  }
  const body = route.body ? compileBody(route.body) : undefined;
  for (const expr of template.expressions) {
    const [root, field] = expr.split(".");
    if (root === "body" && body && field && !body.fields.includes(field)) {
      c.diagnostics.push(c.locate.at([...at, "send"], `template uses {{ ${expr} }} but body declares no field "${field}" (declared: ${body.fields.join(", ")})`));
    }
  }
  return { kind: "declarative", at: label, name: route.name ?? `${route.method} ${route.path}`, method: route.method, path: route.path, auth: route.auth, body, template };
}

function checkPluginRoute(raw: object, at: PathSegments, label: string, c: RouteChecks): RouteConfig | undefined {
  const route = checkSchema(PluginRouteSchema, raw, at, c.locate, c.diagnostics);
  if (!route) return undefined;
  const plugin = c.plugins.get(route.plugin);
  if (!plugin) {
    const known = [...c.plugins.keys()].sort();
    const hint = suggest(route.plugin, known);
    c.diagnostics.push(c.locate.at([...at, "plugin"], `no built-in plugin named "${route.plugin}"${hint ? ` (did you mean "${hint}"?)` : ""} (known: ${known.join(", ")})`));
    return undefined;
  }
  checkAuthRef(route.auth, at, c);
  if (plugin.requiresAuth && !route.auth) {
    c.diagnostics.push(c.locate.at(at, `plugin ${plugin.name} needs an auth scheme: add auth: <name> (anyone could call it otherwise)`));
  }
  const options = checkSchema(plugin.options, route.options ?? {}, [...at, "options"], c.locate, c.diagnostics);
  if (options === undefined) return undefined;
  for (const p of plugin.validate?.(options, route, c.xmpp) ?? []) c.diagnostics.push(c.locate.at([...at, ...p.path], p.message));
  return { kind: "plugin", at: label, plugin, path: route.path ?? plugin.defaultPath, auth: route.auth, options };
}

function checkAuthRef(name: string | undefined, at: PathSegments, c: RouteChecks): void {
  if (name === undefined || name in c.auth) return;
  const defined = Object.keys(c.auth);
  c.diagnostics.push(c.locate.at([...at, "auth"], `no auth scheme named "${name}" (defined: ${defined.join(", ") || "none"})`));
}

export function checkDuplicatePaths(routes: RouteConfig[], locate: SourceLocator, out: Diagnostic[]): void {
  const seen = new Map<string, string>();
  for (const r of routes) {
    if (r.kind === "plugin" && r.plugin.noHttpPath) continue;
    const key = `${r.kind === "declarative" ? r.method : "*"} ${r.path}`;
    const other = seen.get(key);
    if (other) out.push(locate.at(pointerToPath("/" + r.at.replace(/\[(\d+)\]/, "/$1")), `path ${r.path} is already served by ${other}`));
    else seen.set(key, r.at);
  }
}

