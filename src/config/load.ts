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
import type { Static, TSchema } from "@sinclair/typebox";
import { Type } from "@sinclair/typebox";
import { CoreSchema, HttpSchema, OutboxSchema, ThrottleSchema, LogSchema, ReconnectSchema, type Xmpp } from "./schema.ts";
import { SourceLocator, type Diagnostic, type PathSegments } from "./diagnostics.ts";
import { substituteEnv } from "./env.ts";
import { checkSchema } from "./check-schema.ts";
import { checkXmppServer } from "./check-xmpp.ts";
import { checkHttp } from "./check-http.ts";
import { checkMqtt } from "./check-mqtt.ts";
import { checkMqttShare } from "./check-mqtt-share.ts";
import { checkStore } from "./check-store.ts";
import { mqttDefaults } from "../mqtt/schema.ts";
import { TopicsSchema, type TopicsConfig } from "../topics/schema.ts";
import { attachmentsOf, checkAttachments, publicUrlOf } from "./check-attachments.ts";
import type { CoreConfig } from "./config-types.ts";
import type { FeatureRegistry } from "./registry.ts";
import type { RouteBase, RouteChecks, SchemeBase } from "./feature-shape.ts";
import type { PluginDefinition } from "../plugin-api/index.ts";

/** What the loader returns before src/features/index.ts gives it its type: the core's sections and the features' parts. */
export type LoadedConfig = CoreConfig & {
  auth: Readonly<Record<string, SchemeBase>>;
  routes: readonly RouteBase[];
};

/** `warnings` do not stop the start (`check` prints them); a failed load lists them with the errors. */
export type LoadResult<C = LoadedConfig> = { ok: true; config: C; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

export function loadWith(
  text: string,
  env: Record<string, string | undefined>,
  registry: FeatureRegistry,
  plugins: ReadonlyMap<string, PluginDefinition>,
): LoadResult {
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
  const top = checkSchema(topSchema(registry), raw, [], locate, diagnostics);
  const warnings: Diagnostic[] = [];
  const reviews: Array<() => void> = [];
  // A value left empty by an unset variable fails its schema too: say it once.
  const failed = (): LoadResult => ({
    ok: false,
    diagnostics: [...diagnostics.filter((d, i) => i < missing.length || !unset.has(d.path)), ...warnings],
  });
  // Auth schemes and routes are checked even when the top level has problems: every problem at once.
  const fields = raw as Record<string, unknown>;
  checkHttp(fields.http, locate, { errors: diagnostics, warnings });
  checkXmppServer(fields.xmpp, locate, { errors: diagnostics, warnings });
  checkMqtt(fields.mqtt, locate, { errors: diagnostics, warnings });
  if (isRecord(fields)) checkMqttShare(fields, locate, { errors: diagnostics, warnings });
  checkStore(fields.store, locate, diagnostics);
  const authNames = isRecord(fields.auth) ? Object.keys(fields.auth) : [];
  const auth = checkAuthSchemes(isRecord(fields.auth) ? fields.auth : {}, registry, locate, diagnostics);
  const xmpp = xmppDomains(fields.xmpp);
  const checks: RouteChecks = {
    auth,
    authNames,
    xmpp,
    plugins,
    attachments: publicUrlOf(isRecord(fields) ? fields : {}) !== undefined,
    sections: isRecord(fields) ? Object.keys(fields) : [],
    locate,
    diagnostics,
    warnings,
    afterRoutes: (review) => void reviews.push(review),
    served: new Map(),
    parameters: new Map(),
    claimed: new Map(),
    selectable: (key) => registry.selectable(key),
    checkRoute: (entry, at, c) => registry.routeKindOf(entry).check(entry, at, c),
  };
  const routes = (Array.isArray(fields.routes) ? fields.routes : []).flatMap((r, i) => checkRoute(r, ["routes", i], checks) ?? []);
  checkAttachments(fields, routes, locate, { errors: diagnostics, warnings });
  const parts = Object.fromEntries(
    registry.sections.map((s) => [
      s.key,
      s.check(fields[s.key], {
        locate,
        diagnostics,
        warnings,
        auth,
        routes,
        xmpp,
        claimed: checks.claimed,
        attachments: checks.attachments,
        mqtt: checks.sections.includes("mqtt"),
        topValid: top !== undefined,
      }),
    ]),
  );
  // After the sections too: what a review compares against includes the bots' claims (a ntfy topic's address).
  for (const review of reviews) review();
  if (!top || diagnostics.length) return failed();

  const core: CoreConfig = {
    xmpp: { ...top.xmpp, reconnect: top.xmpp.reconnect ?? Value.Default(ReconnectSchema, {}) } as Xmpp,
    http: top.http ?? (Value.Default(HttpSchema, {}) as Static<typeof HttpSchema>),
    store: top.store,
    outbox: top.outbox ?? (Value.Default(OutboxSchema, {}) as Static<typeof OutboxSchema>),
    attachments: attachmentsOf(top.attachments),
    topics: top.topics ?? (Value.Default(TopicsSchema, {}) as TopicsConfig),
    ...(top.mqtt ? { mqtt: mqttDefaults(top.mqtt, top.xmpp.component) } : {}),
    auth_throttle: top.auth_throttle ?? (Value.Default(ThrottleSchema, {}) as Static<typeof ThrottleSchema>),
    log: top.log ?? (Value.Default(LogSchema, {}) as Static<typeof LogSchema>),
  };
  return { ok: true, config: deepFreeze({ ...core, ...parts, auth, routes }), warnings };
}

/** The top level: the core's sections and every feature's, each checked again by its own check. */
export function topSchema(registry: FeatureRegistry): TSchema & { static: Static<typeof CoreSchema> } {
  // A section without a default may be left out: its feature fills it in (its schema's own defaults).
  const sections = Object.fromEntries(
    registry.sections.map((s) => [s.key, s.schema.default === undefined ? Type.Optional(s.schema) : s.schema]),
  );
  return Type.Object({ ...CoreSchema.properties, ...sections }, { additionalProperties: false }) as unknown as TSchema & {
    static: Static<typeof CoreSchema>;
  };
}

/** One routes[] entry as its kind checks it; every part of it is checked even when another part is wrong. */
function checkRoute(raw: unknown, at: PathSegments, c: RouteChecks): RouteBase | undefined {
  if (!isRecord(raw)) {
    c.diagnostics.push(c.locate.at(at, `expected a route (path: and send:, plugin: or preset:), found ${JSON.stringify(raw)}`));
    return undefined;
  }
  const before = c.diagnostics.length;
  const route = c.checkRoute(raw, at, c);
  return c.diagnostics.length === before ? route : undefined;
}

function checkAuthSchemes(
  raw: Record<string, unknown>,
  registry: FeatureRegistry,
  locate: SourceLocator,
  out: Diagnostic[],
): Record<string, SchemeBase> {
  const schemes: Record<string, SchemeBase> = {};
  for (const [name, value] of Object.entries(raw)) {
    const kind = (value as { kind?: unknown } | null)?.kind;
    const authKind = typeof kind === "string" ? registry.authKind(kind) : undefined;
    const schema = authKind?.schema;
    if (!schema) {
      const known = registry.authKinds.map((a) => a.kind).join(", ");
      out.push(locate.at(["auth", name, "kind"], `unknown auth kind ${JSON.stringify(kind)} (known: ${known})`));
      continue;
    }
    const scheme = checkSchema(schema, value, ["auth", name], locate, out);
    const problems = scheme ? (authKind?.check?.(scheme) ?? []) : [];
    for (const p of problems) out.push(locate.at(["auth", name, p.key], p.message, { key: true }));
    if (scheme && !problems.length) schemes[name] = scheme as SchemeBase;
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
