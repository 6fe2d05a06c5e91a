/**
 * routes.yaml -> a frozen, fully checked configuration, or every problem at once.
 *
 * Order: YAML syntax, ${VAR} substitution, the top-level schema, then each auth scheme and each
 * route against its own schema (so a wrong `kind` or plugin name is one clear sentence, not a
 * union's wall of alternatives), then cross-references (auth names, templates, duplicate paths).
 */
import { LineCounter, parseDocument } from "yaml";
import { Value } from "@sinclair/typebox/value";
import type { Static, TSchema } from "@sinclair/typebox";
import { ConfigSchema, HttpSchema, OutboxSchema, ThrottleSchema, LogSchema, ReconnectSchema, type Xmpp } from "./schema.ts";
import { AUTH_SCHEMAS, type AuthScheme } from "./auth-schema.ts";
import { PluginRouteSchema, DeclarativeRouteSchema } from "./route-schema.ts";
import { SourceLocator, pointerToPath, type Diagnostic, type PathSegments } from "./diagnostics.ts";
import { substituteEnv } from "./env.ts";
import { compileTemplate, TemplateError, type CompiledTemplate } from "../engine/template.ts";
import { compileBody, type BodyValidator } from "../engine/body-spec.ts";
import type { PluginDefinition } from "../plugin-api.ts";
import { suggest } from "./suggest.ts";

export interface PluginRouteConfig {
  kind: "plugin";
  at: string;
  plugin: PluginDefinition;
  path: string;
  auth: string | undefined;
  options: unknown;
}

export interface DeclarativeRouteConfig {
  kind: "declarative";
  at: string;
  name: string;
  method: "POST" | "PUT" | "GET";
  path: string;
  auth: string | undefined;
  body: BodyValidator | undefined;
  template: CompiledTemplate;
}

export type RouteConfig = PluginRouteConfig | DeclarativeRouteConfig;

export interface Config {
  xmpp: Xmpp;
  http: Static<typeof HttpSchema>;
  store: string;
  outbox: Static<typeof OutboxSchema>;
  auth_throttle: Static<typeof ThrottleSchema>;
  log: Static<typeof LogSchema>;
  auth: Readonly<Record<string, AuthScheme>>;
  routes: readonly RouteConfig[];
}

export type PluginRegistry = ReadonlyMap<string, PluginDefinition>;

export type LoadResult = { ok: true; config: Config } | { ok: false; diagnostics: Diagnostic[] };

export function loadConfig(text: string, env: Record<string, string | undefined>, plugins: PluginRegistry): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locate = new SourceLocator(doc, lines);
  if (doc.errors.length) {
    return { ok: false, diagnostics: doc.errors.map((e) => ({ ...linePos(lines, e.pos[0]), path: "(yaml)", message: e.message.split("\n")[0] ?? e.message })) };
  }
  const missing = substituteEnv(doc, env);
  const diagnostics: Diagnostic[] = missing.map((m) => locate.at(m.path, `environment variable ${m.name} is not set`));
  const unset = new Set(diagnostics.map((d) => d.path));
  const raw: unknown = doc.toJS() ?? {};
  const top = checkSchema(ConfigSchema, raw, [], locate, diagnostics);
  // A value left empty by an unset variable fails its schema too: say it once.
  const failed = (): LoadResult => ({ ok: false, diagnostics: diagnostics.filter((d, i) => i < missing.length || !unset.has(d.path)) });
  // Auth schemes and routes are checked even when the top level has problems: every problem at once.
  const { auth: rawAuth, routes: rawRoutes } = raw as { auth?: unknown; routes?: unknown };
  const auth = checkAuthSchemes(isRecord(rawAuth) ? rawAuth : {}, locate, diagnostics);
  const routes = (Array.isArray(rawRoutes) ? rawRoutes : []).flatMap((r, i) => checkRoute(r, i, { auth, xmpp: top?.xmpp, plugins, locate, diagnostics }) ?? []);
  checkDuplicatePaths(routes, locate, diagnostics);
  if (!top || diagnostics.length) return failed();

  const config: Config = {
    xmpp: { ...top.xmpp, reconnect: top.xmpp.reconnect ?? Value.Default(ReconnectSchema, {}) } as Xmpp,
    http: top.http ?? (Value.Default(HttpSchema, {}) as Static<typeof HttpSchema>),
    store: top.store,
    outbox: top.outbox ?? (Value.Default(OutboxSchema, {}) as Static<typeof OutboxSchema>),
    auth_throttle: top.auth_throttle ?? (Value.Default(ThrottleSchema, {}) as Static<typeof ThrottleSchema>),
    log: top.log ?? (Value.Default(LogSchema, {}) as Static<typeof LogSchema>),
    auth,
    routes,
  };
  return { ok: true, config: deepFreeze(config) };
}

/** Validates `value` against `schema` after filling defaults; records every error. */
function checkSchema<S extends TSchema>(schema: S, value: unknown, at: PathSegments, locate: SourceLocator, out: Diagnostic[]): Static<S> | undefined {
  const filled = Value.Default(schema, structuredClone(value));
  const errors = [...Value.Errors(schema, filled)];
  // A union reports each failed alternative; the first error per path is the useful one.
  const seen = new Set<string>();
  for (const e of errors) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    const path = [...at, ...pointerToPath(e.path)];
    out.push(locate.at(path, describe(e.message, e.value, e.path, e.schema), { key: e.message === "Unexpected property" }));
  }
  return errors.length ? undefined : (filled as Static<S>);
}

function describe(message: string, found: unknown, pointer: string, schema: TSchema): string {
  if (message === "Unexpected property") {
    const key = pointerToPath(pointer).at(-1);
    const parent = schema.properties ? Object.keys(schema.properties as object) : [];
    const hint = suggest(String(key), parent);
    return `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}`;
  }
  if (schema.anyOf) message = `expected ${alternatives(schema.anyOf as TSchema[])}`;
  if (found === undefined) return `${lower(message)}, found nothing (required)`;
  return `${lower(message)}, found ${JSON.stringify(found)}`;
}

/** A union's alternatives in words: `"a", "b" or an object`. */
function alternatives(options: TSchema[]): string {
  const words = options.map((o) => (o.const !== undefined ? JSON.stringify(o.const) : o.type === "object" ? "an object" : `a ${o.type}`));
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words.at(-1)}` : (words[0] ?? "something else");
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function checkAuthSchemes(raw: Record<string, unknown>, locate: SourceLocator, out: Diagnostic[]): Record<string, AuthScheme> {
  const schemes: Record<string, AuthScheme> = {};
  for (const [name, value] of Object.entries(raw)) {
    const kind = (value as { kind?: unknown } | null)?.kind;
    const schema = AUTH_SCHEMAS[kind as keyof typeof AUTH_SCHEMAS];
    if (!schema) {
      out.push(locate.at(["auth", name, "kind"], `unknown auth kind ${JSON.stringify(kind)} (known: ${Object.keys(AUTH_SCHEMAS).join(", ")})`));
      continue;
    }
    const scheme = checkSchema(schema, value, ["auth", name], locate, out);
    if (scheme) schemes[name] = scheme as AuthScheme;
  }
  return schemes;
}

interface RouteChecks {
  auth: Record<string, AuthScheme>;
  /** The xmpp section when it is valid: plugins check addresses against the component domain. */
  xmpp: { component: string; host: string } | undefined;
  plugins: PluginRegistry;
  locate: SourceLocator;
  diagnostics: Diagnostic[];
}

function checkRoute(raw: unknown, index: number, c: RouteChecks): RouteConfig | undefined {
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
    c.diagnostics.push(c.locate.at([...at, "send"], `bad template: ${err.message}`));
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

function checkDuplicatePaths(routes: RouteConfig[], locate: SourceLocator, out: Diagnostic[]): void {
  const seen = new Map<string, string>();
  for (const r of routes) {
    if (r.kind === "plugin" && r.plugin.noHttpPath) continue;
    const key = `${r.kind === "declarative" ? r.method : "*"} ${r.path}`;
    const other = seen.get(key);
    if (other) out.push(locate.at(pointerToPath("/" + r.at.replace(/\[(\d+)\]/, "/$1")), `path ${r.path} is already served by ${other}`));
    else seen.set(key, r.at);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function linePos(lines: LineCounter, offset: number): { line: number; col: number } {
  return lines.linePos(offset);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) if (v && typeof v === "object" && !(v as { render?: unknown }).render) deepFreeze(v);
  }
  return value;
}
