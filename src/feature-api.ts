/**
 * The feature contract: what every part of the gateway that routes.yaml turns on or off declares,
 * as a plugin declares itself with `definePlugin` (plugin-api/index.ts). A feature is one folder under
 * src/features/ whose index.ts default-exports `defineFeature({...})`, registered by one line in
 * src/features/index.ts. The loader (config/load.ts) and a generation (generation/) are loops
 * over the registered features: neither knows one by name.
 *
 * A feature may bring a section of routes.yaml (`bots:`, `metrics:`), kinds of routes[] entries
 * (declarative, `preset:`, `plugin:`), kinds of auth schemes (`kind: basic`), its own error codes,
 * and a runtime per generation: HTTP handlers, stanza handlers, endpoints, what it reports on
 * /health and what it hands over to the generation that replaces it on a reload.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Element } from "ltx";
import type { CoreConfig } from "./config/config-types.ts";
import type { AuthKindShape, FeatureShape, RouteBase, RouteKind, SchemeBase, ServedRoute } from "./config/feature-shape.ts";
import type { Authenticator, Identity } from "./plugin-api/auth.ts";
import type { Logger } from "./plugin-api/log.ts";
import type { FeatureStore } from "./store/plugin-store.ts";
import type { Store } from "./store/types.ts";
import type { HttpHandler, HttpRegistrar, PluginMetrics, StanzaHandler, XmppPort } from "./plugin-api/index.ts";
import type { Metrics } from "./metrics.ts";
import type { GatewayRequest } from "./http/request-context.ts";
import type { GatewayError } from "./plugin-api/errors.ts";
import type { FilesService } from "./files/service.ts";
import type { Topics } from "./topics/types.ts";
import type { Mqtt } from "./mqtt/types.ts";

// The loader's half, which config checking reads alone.
export type * from "./config/feature-shape.ts";

/** What /health answers: 200 when ready, else 503, with the body. */
export interface HealthReport {
  ready: boolean;
  body: Record<string, unknown>;
}

/** Where a command of a feature (`stanzagate preset`, `render`) writes. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** A kind of auth scheme (`kind: NAME` under `auth:`). */
export interface AuthKind<S extends TSchema = TSchema> extends AuthKindShape<S> {
  /** The check of one scheme: the identity, or a GatewayError (AUTH_FAILED, AUTH_UNAVAILABLE...). */
  create(name: string, scheme: Static<S>, deps: AuthDeps): (request: Request) => Promise<Identity>;
}

/** What any auth kind may use to check a request. */
export interface AuthDeps {
  /** The user domain (xmpp.host): bare user names belong to it. */
  host: string;
  /** The component server URL, whose host is the default for the xmpp scheme's client port. */
  server: string;
  /** Keeps what a scheme must remember across restarts (the xmpp scheme's offline grace). */
  store?: Store;
  /** Whether the component link is up (the xmpp scheme's offline grace). */
  linkOnline?: () => boolean;
  log?: Logger;
  /** http.max_body_bytes: how far a scheme that signs the body reads it. */
  maxBodyBytes: number;
  now?: () => number;
  /** What the schemes of one configuration share (one bound on argon2id verifications), by a name of the kind's. */
  shared: Map<string, unknown>;
  /** A kind's own settings from its caller, by their names (tests replace the SASL login of `kind: xmpp`). */
  [own: string]: unknown;
}

/** What a route registered by a feature may add to its handler (CoreRegistrar.add). */
interface RouteOptions {
  bare?: boolean;
  probe?: boolean;
  refuse?: (error: GatewayError, request: Request) => Response;
  /** A route that takes files: its bodies may be this large instead of http.max_body_bytes (files/service.ts `fileBodyLimit`). */
  maxBodyBytes?: number;
  /** Parameters that are credentials (a file's id: whoever has it fetches the file), by name: `…` wherever the path is logged. */
  secretParams?: readonly string[];
}

/** The plugins' registrar, with what only the core's endpoints need. */
export interface CoreRegistrar extends HttpRegistrar {
  /**
   * `bare`: no CORS headers (probes); `probe`: logged at debug when it succeeds; `refuse`: how the
   * route's sender is told a refusal the front door makes before the handler runs (a declared body
   * over http.max_body_bytes), in the shape the handler answers its own. Whether a path is a
   * secret is its route kind's `secretPath`, for everything it registers: logs, metrics, /openapi.json.
   */
  add(method: string, path: string, handler: HttpHandler, options?: RouteOptions): void;
  /**
   * The answer for paths below `prefix` that no route of it serves (a wrong webhook secret, a
   * typo): the format's own "unknown webhook". They never reach a route with a parameter there
   * (ntfy's `/:topic` at `/`), whatever the order of the routes (http/claimed-paths.ts).
   */
  unknown(prefix: string, handler: HttpHandler): void;
  /**
   * Whether `path`, taken by a catch-all's `pattern` (ntfy's `/:topic`), is another route's by
   * its fixed segments (http/claimed-paths.ts), as a request to it would be answered: for what
   * names a path without requesting it (a ntfy JSON publish's topic). Asked while serving.
   */
  claims(path: string, pattern: string): boolean;
  /** Everything registered so far in this generation, in order. */
  readonly routes: readonly ServedRoute[];
}

/** What the gateway lends a feature for one generation of the configuration. */
export interface FeatureContext<Part = unknown> {
  config: CoreConfig;
  /** Its own section, checked (undefined when the feature has none). */
  part: Part;
  /** Every checked route, in file order: a feature starts those of its kinds (`route`). */
  routes: readonly RouteBase[];
  xmpp: XmppPort;
  /** Stanzas to `local@component` for an entity of its own (a bot): row 3 of the router's table (xmpp/router.ts). */
  entity(local: string, handler: StanzaHandler): void;
  http: CoreRegistrar;
  /** The registered kinds, for what describes every route or scheme (the OpenAPI document). */
  kinds: {
    route(route: RouteBase): RouteKind;
    auth(kind: string): AuthKind | undefined;
  };
  /** The checked auth schemes by name, and the authenticators made of them. */
  auth: Readonly<Record<string, SchemeBase>>;
  authenticators: ReadonlyMap<string, Authenticator>;
  /** The feature's keyed values in the gateway's store, named `(<feature name>)`. */
  store: FeatureStore;
  log: Logger;
  fetch: typeof fetch;
  metrics: Metrics;
  /** The facility plugins get, by plugin name (stanzagate_<plugin>_<name>). */
  pluginMetrics(plugin: string): PluginMetrics;
  /** What this feature's runtime of the configuration this one replaces handed over. */
  previous: unknown;
  /** The gateway's: outlive every generation. */
  gateway: GatewayPorts;
  /** Files and images a route attaches (src/files/): undefined when attachments are off (no http.public_url). */
  files?: FilesService | undefined;
  /** The topics' cache and live bus (src/topics/, issue 22): one per gateway, the same across reloads. */
  topics: Topics;
  /**
   * The MQTT broker connection (src/mqtt/, issue 23): undefined when routes.yaml has no `mqtt:`.
   * One per gateway, kept across reloads; its subscriptions are this generation's (closed when it retires).
   */
  mqtt?: Mqtt | undefined;
}

/** What outlives generations and features borrow: the store, the outbox delivery, the report. */
export interface GatewayPorts {
  store: Store;
  /** Delivery, counted as sent (201) or queued (202): never lost. */
  deliver(stanza: Element): Promise<"sent" | "queued">;
  /**
   * Room in the outbox for every one of `stanzas` before the first is delivered, or OUTBOX_FULL:
   * several messages answered by one request are queued whole or refused whole. Returns what
   * gives back the room not taken (the stanzas sent at once).
   */
  reserve(stanzas: readonly Element[]): () => void;
  request(iq: Element, timeoutMs?: number): Promise<Element>;
  isOnline(): boolean;
  newId(): string;
  /** /health's report, with every feature's entries. */
  health(): HealthReport;
  /** A failed write to the store: /health reports the store degraded until a write succeeds. */
  storeFailed(op: string, err: unknown): void;
  /** What outlives a generation for this feature (the bot jobs running): made at its first ask, the same object after a reload. */
  keep<T>(make: () => T): T;
}

/** A GET endpoint outside routes[] (/metrics, /openapi.json): answers its path, else undefined. */
interface Endpoint {
  path: string;
  /** A probe (health checks, scrapes): logged at debug when it succeeds. */
  probe: boolean;
  handle(request: GatewayRequest): Promise<Response | undefined>;
}

/** Stops what one route started (a plugin): called in file order when the generation retires, before any feature stops. */
export type RouteStop = () => Promise<void> | void;

/** A feature running in one generation. */
export interface FeatureRuntime {
  /** Starts one route of the feature's kinds, in file order with the others; returns how to stop it, if it runs anything. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a route that starts nothing (a handler) returns nothing.
  route?(route: RouteBase): Promise<RouteStop | void> | RouteStop | void;
  endpoints?: readonly Endpoint[];
  /** The whole generation is built: start what runs by itself (scheduled jobs). */
  ready?(): void;
  /** The generation retires or failed to build: start nothing new (scheduled jobs), before its requests in flight end. */
  quiesce?(): void;
  /** The link came up again: rooms to enter, presences to send. */
  online?(): void;
  /** Called in reverse of the start order when the generation retires (after its requests and its routes) or fails to build. */
  stop?(): Promise<void> | void;
  /** Entries of /health's `plugins` list (the name is the plugins' by history: any feature may report there). */
  health?(): Array<Record<string, unknown>>;
  /** What the runtime of the next generation gets as `previous`. */
  handover?(): unknown;
  /**
   * The outbox is about to send a queued stanza: undefined sends it, a reason sends it to the dead
   * letters; a rejection keeps it queued for the next drain (xmpp/delivery.ts).
   */
  beforeSend?(stanza: string): Promise<string | undefined> | undefined;
}

export interface FeatureDefinition<Part = unknown> extends FeatureShape<Part> {
  authKinds?: readonly AuthKind[];
  /** Runs once at the start of a generation, in registration order; `stop` in reverse. */
  start?(ctx: FeatureContext<Part>): FeatureRuntime | Promise<FeatureRuntime>;
}

export function defineFeature<Part>(definition: FeatureDefinition<Part>): FeatureDefinition<Part> {
  return definition;
}

/** Typed by its own route inside; the registry hands it only routes of its `kind` (config/registry.ts `compiled`). */
export function defineRouteKind<R extends RouteBase>(kind: RouteKind<R>): RouteKind {
  return kind;
}

/** Typed by its own schema inside; the loader hands it only schemes its schema passed. */
export function defineAuthKind<S extends TSchema>(kind: AuthKind<S>): AuthKind {
  return kind;
}
