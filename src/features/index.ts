/**
 * The features of the gateway, in the order they start (health first: its paths are answered
 * before any route's; routes before bots: they enter their rooms first when the link comes back).
 * A new feature is one folder here and one line in FEATURES.
 */
import type { Static } from "@sinclair/typebox";
import type { CoreConfig } from "../config/config-types.ts";
import { loadWith, type LoadResult } from "../config/load.ts";
import { FeatureRegistry } from "../config/registry.ts";
import { authenticatorOf, type AuthenticatorDeps } from "../auth/authenticators.ts";
import type { Authenticator } from "../auth/types.ts";
import type { FeatureDefinition } from "../feature-api.ts";
import type { PluginDefinition } from "../plugin-api/index.ts";
import { errorCatalogue } from "../plugin-api/errors.ts";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import health from "./health/index.ts";
import authHeader from "./auth/header/index.ts";
import authBasic from "./auth/basic/index.ts";
import authBearer from "./auth/bearer/index.ts";
import authXmpp from "./auth/xmpp/index.ts";
import authHmac from "./auth/hmac/index.ts";
import pluginRoutes from "./plugin-routes/index.ts";
import presets from "./presets/index.ts";
import ntfy from "./ntfy/index.ts";
import routes from "./routes/index.ts";
import bots from "./bots/index.ts";
import metrics from "./metrics/index.ts";
import openapi from "./openapi/index.ts";
import discord from "./discord/index.ts";
import gotify from "./gotify/index.ts";
import apprise from "./apprise/index.ts";
import teams from "./teams/index.ts";
import slack from "./slack/index.ts";
import files from "./files/index.ts";
import type { HeaderAuth } from "./auth/header/schema.ts";
import type { BasicAuth } from "./auth/basic/schema.ts";
import type { BearerAuth } from "./auth/bearer/schema.ts";
import type { XmppAuth } from "./auth/xmpp/schema.ts";
import type { HmacAuth } from "./auth/hmac/schema.ts";
import type { PluginRouteConfig } from "./plugin-routes/types.ts";
import type { DeclarativeRouteConfig } from "./routes/types.ts";
import type { BotConfig } from "./bots/compiled.ts";
import type { MetricsSchema } from "./metrics/schema.ts";
import type { OpenApiSchema } from "./openapi/schema.ts";

const FEATURES: readonly FeatureDefinition[] = [
  health,
  files,
  authHeader,
  authBasic,
  authBearer,
  authXmpp,
  authHmac,
  pluginRoutes,
  presets,
  ntfy,
  routes,
  discord,
  gotify,
  apprise,
  teams,
  slack,
  bots,
  metrics,
  openapi,
];

export const FEATURE_REGISTRY = new FeatureRegistry<FeatureDefinition>(FEATURES);

/** `preset: NAME` kinds written in code and their example entries, for `stanzagate preset`. */
export const CODE_FORMATS: Readonly<Record<string, string>> = Object.fromEntries(
  FEATURE_REGISTRY.routeKinds.flatMap((k) =>
    k.key === "preset" && k.value !== undefined && k.example !== undefined ? [[k.value, k.example]] : [],
  ),
);

/**
 * Every error code the gateway answers: the shared ones, and each plugin's and each feature's own
 * (their definitions' `errors`). Built when the gateway loads, so a code two of them (or one of
 * them and the core) declare stops it at once.
 */
export const ERROR_CATALOGUE = errorCatalogue([...BUILTIN_PLUGINS.values(), ...FEATURES]);

export type AuthScheme = HeaderAuth | BasicAuth | BearerAuth | XmppAuth | HmacAuth;
type RouteConfig = PluginRouteConfig | DeclarativeRouteConfig;
export type { DeclarativeRouteConfig };

/** routes.yaml checked: the core's sections and each feature's part. */
export interface Config extends CoreConfig {
  auth: Readonly<Record<string, AuthScheme>>;
  routes: readonly RouteConfig[];
  bots: readonly BotConfig[];
  metrics: Static<typeof MetricsSchema>;
  openapi: Static<typeof OpenApiSchema>;
}

export type PluginRegistry = ReadonlyMap<string, PluginDefinition>;

/** routes.yaml -> a frozen, fully checked configuration, or every problem at once (config/load.ts). */
export function loadConfig(text: string, env: Record<string, string | undefined>, plugins: PluginRegistry): LoadResult<Config> {
  return loadWith(text, env, FEATURE_REGISTRY, plugins) as LoadResult<Config>;
}

/** One named scheme as its kind checks it, behind the throttle (for callers without a generation). */
export function createAuthenticator(name: string, scheme: AuthScheme, deps: AuthenticatorDeps): Authenticator {
  const kind = FEATURE_REGISTRY.authKind(scheme.kind);
  if (!kind) throw new Error(`no feature checks auth schemes of kind ${scheme.kind}`);
  return authenticatorOf(kind, name, scheme, deps);
}
