/**
 * The checked configuration loadConfig returns (load.ts), and what the route checks share. Types
 * only, importing no checker: the loader, the route checks, presets and iq checks all read them,
 * so none of them has to import another for a type (no import cycle, type imports included).
 */
import type { Static } from "@sinclair/typebox";
import type { HttpSchema, OutboxSchema, ThrottleSchema, LogSchema, MetricsSchema, OpenApiSchema, Xmpp } from "./schema.ts";
import type { AuthScheme } from "../auth/schema.ts";
import type { Diagnostic, SourceLocator } from "./diagnostics.ts";
import type { CompiledTemplate } from "../templates/template.ts";
import type { CompiledCondition } from "../templates/condition.ts";
import type { BodyValidator } from "../features/routes/body-spec.ts";
import type { CompiledRespond } from "../features/routes/respond.ts";
import type { CompiledCorrection } from "../features/routes/correct.ts";
import type { PluginDefinition } from "../plugin-api.ts";
import type { BotConfig } from "../features/bots/compiled.ts";

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
  /** Undefined when the route declares no `body:` or `body: any`. */
  body: BodyValidator | undefined;
  /** `send:`, one or several; each renders zero, one or many stanzas. */
  templates: readonly CompiledTemplate[];
  when: CompiledCondition | undefined;
  strict: boolean;
  maxStanzas: number;
  /** `send:` is an iq get/set: the route answers its reply (engine/iq-route.ts). */
  iq: boolean;
  /** iq routes: how long to wait for the answer (undefined: xmpp.iq_timeout_ms). */
  timeoutMs: number | undefined;
  /** iq routes: the JSON answered on success. */
  respond: CompiledRespond | undefined;
  /** `correct:`: later messages of a thread correct its first one (engine/correct.ts). */
  correct: CompiledCorrection | undefined;
  /** Groupchat: the nick and room passwords (XEP-0045 §7.2, §7.2.6). */
  rooms: { nick: string | undefined; password(room: string): string | undefined };
}

export type RouteConfig = PluginRouteConfig | DeclarativeRouteConfig;

export interface Config {
  xmpp: Xmpp;
  http: Static<typeof HttpSchema>;
  store: string;
  outbox: Static<typeof OutboxSchema>;
  auth_throttle: Static<typeof ThrottleSchema>;
  log: Static<typeof LogSchema>;
  metrics: Static<typeof MetricsSchema>;
  openapi: Static<typeof OpenApiSchema>;
  auth: Readonly<Record<string, AuthScheme>>;
  routes: readonly RouteConfig[];
  bots: readonly BotConfig[];
}

export type PluginRegistry = ReadonlyMap<string, PluginDefinition>;

export interface RouteChecks {
  auth: Record<string, AuthScheme>;
  /** Every name under `auth:`, valid or not: naming a broken scheme is that scheme's problem only. */
  authNames: readonly string[];
  /** The xmpp section when it is valid: plugins check addresses against the component domain. */
  xmpp: { component: string; host: string } | undefined;
  plugins: PluginRegistry;
  locate: SourceLocator;
  diagnostics: Diagnostic[];
  /** `METHOD path` -> the route already serving it, to find duplicates. */
  served: Map<string, string>;
  /** A stanza claim (an address, a local part, the catch-all) -> the route and place claiming it first. */
  claimed: Map<string, { route: string; line: number; col: number }>;
}
