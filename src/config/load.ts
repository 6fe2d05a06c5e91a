/**
 * routes.yaml -> a frozen, fully checked configuration, or every problem at once.
 *
 * Order: YAML syntax (which alone stops the run: without a tree nothing else can be located),
 * ${VAR} substitution, the top-level schema and the http section (check-http.ts), then each
 * auth scheme and each route against its own schema (so a wrong `kind` or plugin name is one
 * clear sentence, not a union's wall of alternatives), then cross-references (auth names, templates, params, duplicate paths).
 * A problem in one part never hides another: one run of `check` lists them all.
 */
import { isRecord } from "../kit/bounded.ts";
import { LineCounter, parseDocument } from "yaml";
import { Value } from "@sinclair/typebox/value";
import type { Static } from "@sinclair/typebox";
import {
  ConfigSchema,
  HttpSchema,
  OutboxSchema,
  ThrottleSchema,
  LogSchema,
  MetricsSchema,
  OpenApiSchema,
  ReconnectSchema,
  type Xmpp,
} from "./schema.ts";
import { checkMetrics } from "../features/metrics/check.ts";
import { AUTH_SCHEMAS, type AuthScheme } from "../auth/schema.ts";
import { SourceLocator, type Diagnostic } from "./diagnostics.ts";
import { substituteEnv } from "./env.ts";
import { checkSchema } from "./check-schema.ts";
import { checkRoute } from "../features/routes/check.ts";
import { checkXmppServer } from "./check-xmpp.ts";
import { checkHttp } from "./check-http.ts";
import { checkBots } from "../features/bots/check.ts";
import type { Config, PluginRegistry } from "./config-types.ts";

// Callers of the loader get the configuration's types where they get loadConfig.
export type { Config, DeclarativeRouteConfig, PluginRegistry, PluginRouteConfig, RouteConfig } from "./config-types.ts";

/** `warnings` do not stop the start (`check` prints them); a failed load lists them with the errors. */
export type LoadResult = { ok: true; config: Config; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

export function loadConfig(text: string, env: Record<string, string | undefined>, plugins: PluginRegistry): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locate = new SourceLocator(doc, lines, text);
  if (doc.errors.length) {
    return {
      ok: false,
      diagnostics: doc.errors.map((e) => ({ ...linePos(lines, e.pos[0]), path: "(yaml)", message: e.message.split("\n")[0] ?? e.message })),
    };
  }
  const missing = substituteEnv(doc, env);
  const diagnostics: Diagnostic[] = missing.map((m) => locate.at(m.path, `environment variable ${m.name} is not set`));
  const unset = new Set(diagnostics.map((d) => d.path));
  const raw: unknown = doc.toJS() ?? {};
  const top = checkSchema(ConfigSchema, raw, [], locate, diagnostics);
  // A value left empty by an unset variable fails its schema too: say it once.
  const warnings: Diagnostic[] = [];
  const failed = (): LoadResult => ({
    ok: false,
    diagnostics: [...diagnostics.filter((d, i) => i < missing.length || !unset.has(d.path)), ...warnings],
  });
  // Auth schemes and routes are checked even when the top level has problems: every problem at once.
  const { auth: rawAuth, routes: rawRoutes, xmpp: rawXmpp, http: rawHttp, bots: rawBots } = raw as Record<string, unknown>;
  checkHttp(rawHttp, locate, { errors: diagnostics, warnings });
  checkXmppServer(rawXmpp, locate, { errors: diagnostics, warnings });
  const authNames = isRecord(rawAuth) ? Object.keys(rawAuth) : [];
  const auth = checkAuthSchemes(isRecord(rawAuth) ? rawAuth : {}, locate, diagnostics);
  const xmpp = xmppDomains(rawXmpp);
  const served = new Map<string, string>();
  const claimed = new Map<string, { route: string; line: number; col: number }>();
  const routes = (Array.isArray(rawRoutes) ? rawRoutes : []).flatMap(
    (r, i) => checkRoute(r, i, { auth, authNames, xmpp, plugins, locate, diagnostics, served, claimed }) ?? [],
  );
  const bots = checkBots(rawBots, { component: xmpp?.component, locate, diagnostics, claimed });
  if (top?.metrics) checkMetrics(top.metrics, auth, routes, locate, diagnostics);
  if (top?.openapi) checkMetrics(top.openapi, auth, routes, locate, diagnostics, "openapi");
  if (!top || diagnostics.length) return failed();

  const config: Config = {
    xmpp: { ...top.xmpp, reconnect: top.xmpp.reconnect ?? Value.Default(ReconnectSchema, {}) } as Xmpp,
    http: top.http ?? (Value.Default(HttpSchema, {}) as Static<typeof HttpSchema>),
    store: top.store,
    outbox: top.outbox ?? (Value.Default(OutboxSchema, {}) as Static<typeof OutboxSchema>),
    auth_throttle: top.auth_throttle ?? (Value.Default(ThrottleSchema, {}) as Static<typeof ThrottleSchema>),
    log: top.log ?? (Value.Default(LogSchema, {}) as Static<typeof LogSchema>),
    metrics: top.metrics ?? (Value.Default(MetricsSchema, {}) as Static<typeof MetricsSchema>),
    openapi: top.openapi ?? (Value.Default(OpenApiSchema, {}) as Static<typeof OpenApiSchema>),
    auth,
    routes,
    bots,
  };
  return { ok: true, config: deepFreeze(config), warnings };
}

function checkAuthSchemes(raw: Record<string, unknown>, locate: SourceLocator, out: Diagnostic[]): Record<string, AuthScheme> {
  const schemes: Record<string, AuthScheme> = {};
  for (const [name, value] of Object.entries(raw)) {
    const kind = (value as { kind?: unknown } | null)?.kind;
    const schema = AUTH_SCHEMAS[kind as keyof typeof AUTH_SCHEMAS];
    if (!schema) {
      out.push(
        locate.at(["auth", name, "kind"], `unknown auth kind ${JSON.stringify(kind)} (known: ${Object.keys(AUTH_SCHEMAS).join(", ")})`),
      );
      continue;
    }
    const scheme = checkSchema(schema, value, ["auth", name], locate, out);
    if (scheme) schemes[name] = scheme as AuthScheme;
  }
  return schemes;
}

/** The domains plugins check addresses against, when given, whatever else is wrong around them. */
function xmppDomains(raw: unknown): { component: string; host: string } | undefined {
  const { component, host } = isRecord(raw) ? raw : {};
  return typeof component === "string" && component && typeof host === "string" && host ? { component, host } : undefined;
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
