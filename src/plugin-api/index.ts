/**
 * The plugin contract. A plugin is a folder under plugins/ whose index.ts default-exports
 * `definePlugin({...})`: its name as written in routes.yaml, a TypeBox schema for its options
 * (checked when routes.yaml loads, so mistakes get file:line:col like any other), its own error
 * codes, and `setup`, which receives the ports it uses and registers HTTP and stanza handlers.
 *
 * Only the contract: the types the engine implements (declared here and in src/plugin-api/),
 * `definePlugin`, and the shared error catalogue (errors.ts, beside it). The helpers a plugin may use
 * (JIDs, bounded readers, limiter, LRU, XML text, stanza errors, request bodies, XEP-0356) are the
 * kit, src/kit/, which the engine uses too. A plugin imports these two and nothing else of src/
 * (.dependency-cruiser.cjs enforces it).
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Element } from "ltx";
import type { OwnErrors } from "./errors.ts";
import type { Authenticator } from "./auth.ts";
import type { Logger } from "./log.ts";
import type { PrivilegeNeed, Privileges } from "./privileges.ts";
import type { Migration, PluginStore } from "./store.ts";
import type { RoomsPort } from "./rooms.ts";
import type { ServerSoftware } from "./server-software.ts";

// The error catalogue, shared with the engine: codes, statuses, stanza errors, both directions.
export {
  GatewayError,
  jsonResponse,
  errorResponse,
  fromXmppFailure,
  stanzaErrorForStatus,
  ownErrors,
  errorCatalogue,
  STANZA_ERRORS,
  XmppStanzaError,
  IqTimeoutError,
  type ErrorCode,
  type OwnedErrorCode,
  type OwnErrors,
  type StanzaErrorSpec,
} from "./errors.ts";
// The ports' types, declared under src/plugin-api/ (the engine implements them).
export type { Authenticator, Identity } from "./auth.ts";
export type { Logger } from "./log.ts";
export type { PrivilegeNeed, Privileges, PrivilegeNamespace } from "./privileges.ts";
export type { Migration, PluginStore } from "./store.ts";
export type { EnterOptions, HeldRoom, OccupantSettings, RoomsPort } from "./rooms.ts";
export type { ServerSoftware } from "./server-software.ts";
export type { Element } from "ltx";

/** One HTTP request as a plugin handler sees it. */
export interface HttpRequest {
  request: Request;
  /** `:name` segments of the route path; `*` for a wildcard tail. */
  params: Record<string, string>;
  /** The client's address, for throttling and logs: the TCP peer, or behind http.trusted_proxies the one they forwarded. */
  ip: string;
}

export type HttpHandler = (req: HttpRequest) => Promise<Response> | Response;

export interface HttpRegistrar {
  /** Serve `method path` (path relative to nothing: plugins build it from `route.path`). */
  add(method: string, path: string, handler: HttpHandler): void;
}

/**
 * What a stanza handler asks for (see src/xmpp/router.ts for the order): `address`, a full JID
 * of the component (muc_kick's occupant JID); `answers`, answers to the plugin's own requests;
 * `localParts`, JIDs of the component's domain; `catchAll`, whatever nobody before took.
 */
export type StanzaClaim = { address: string } | { answers: true } | { localParts: readonly string[] } | { catchAll: true };

/** A claim as `check` compares them across routes, with where it is in the route's options. */
export interface DeclaredClaim {
  claim: { address: string } | { localPart: string } | { catchAll: true };
  /** Path below the route, e.g. ["options", "local_parts", 0]. */
  path: Array<string | number>;
}

/** Handles a stanza addressed to the component; returns true when it took it. */
export type StanzaHandler = (stanza: Element) => boolean | Promise<boolean>;

/** `settled`: this connection's XEP-0356 grants are known (advertised, or the grace passed without). */
export type LinkEvent = "online" | "offline" | "privileges" | "settled";

/** The XMPP side, as plugins use it. */
export interface XmppPort {
  /** The component's domain (routes.yaml xmpp.component). */
  readonly component: string;
  /** The user domain served (routes.yaml xmpp.host). */
  readonly host: string;
  isOnline(): boolean;
  /**
   * What the server granted by XEP-0356 at the last connect, for the user domain `host` (default
   * xmpp.host): each virtual host of the server advertises its own grants.
   */
  privileges(host?: string): Privileges;
  /**
   * The server's software (XEP-0092, or its disco#info identity), once learned after a connect;
   * undefined before that or when the server tells nothing. For what one server is known to accept.
   */
  serverSoftware(): ServerSoftware | undefined;
  /** Sends now; throws LINK_DOWN when offline. Use `deliver` for stanzas that must not be lost. */
  send(stanza: Element): Promise<void>;
  /** Sends an iq and waits for its result; an error answer rejects with an XmppStanzaError. */
  request(iq: Element, timeoutMs?: number): Promise<Element>;
  /** Delivers now when online, else stores it in the outbox: never lost. */
  deliver(stanza: Element): Promise<"sent" | "queued">;
  /**
   * Stanzas addressed to the component, by what the handler claims (src/xmpp/router.ts has the
   * whole table): an exact address, answers to the plugin's own requests, local parts of the
   * component's domain, or everything nobody before took (the default).
   */
  onStanza(handler: StanzaHandler, claim?: StanzaClaim): void;
  /**
   * Sees every incoming stanza before any handler, without taking it: for what several plugins
   * may need to know, such as the presences a server forwards under XEP-0356 managed_entity.
   */
  observe(observer: (stanza: Element) => void): void;
  on(event: LinkEvent, listener: () => void): void;
  /** MUC rooms (XEP-0045), one seat per room shared by every route that uses it. */
  readonly rooms: RoomsPort;
}

export interface PluginRoute {
  /** The route's HTTP path (the plugin's default when routes.yaml gives none). */
  path: string;
  /** The route's auth scheme, when routes.yaml names one. */
  auth: Authenticator | undefined;
  /** Where the route is in routes.yaml, for log lines: `routes[2]`. */
  at: string;
}

export interface PluginContext<Options> {
  options: Options;
  route: PluginRoute;
  xmpp: XmppPort;
  http: HttpRegistrar;
  /** This plugin's keyed values in the gateway's store (migrated by the definition's `migrations`). */
  store: PluginStore;
  log: Logger;
  /** HTTP client for webhooks and web apps (injected so tests can observe it). */
  fetch: typeof fetch;
  /** Prometheus metrics of this plugin, exposed on /metrics as `stanzagate_<plugin>_<name>`. */
  metrics: PluginMetrics;
}

/** Label names and values of one metric; keep values few (outcomes, not addresses). */
export type MetricLabels = Record<string, string>;

/** What a plugin may record; the gateway owns the registry and the /metrics endpoint. */
export interface PluginMetrics {
  counter(spec: { name: string; help: string; labels?: string[] }): { inc(labels?: MetricLabels, by?: number): void };
  histogram(spec: { name: string; help: string; labels?: string[]; buckets?: number[] }): {
    observe(labels: MetricLabels, value: number): void;
  };
}

/** Metrics that go nowhere: for plugin tests that build a context by hand. */
export const noMetrics: PluginMetrics = {
  counter: () => ({ inc: () => {} }),
  histogram: () => ({ observe: () => {} }),
};

export interface PluginInstance {
  /** Called on shutdown, after HTTP stops accepting and before the link closes. */
  stop?(): Promise<void> | void;
  /**
   * What /health shows for this route under `plugins` (with its plugin name and path): what the
   * link's state cannot tell, such as a server that grants a permission and then refuses its use.
   * Informative: it does not make /health answer 503.
   */
  health?(): Record<string, unknown>;
}

/** A problem found in a route's options beyond what the schema says. */
export interface OptionProblem {
  /** Path below the route, e.g. ["options", "post_url"]. */
  path: Array<string | number>;
  message: string;
}

export interface PluginDefinition<S extends TSchema = TSchema> {
  name: string;
  summary: string;
  /** The schema of the route's `options:`. */
  options: S;
  defaultPath: string;
  /** The plugin serves no HTTP path (component_http): its routes never clash with others over `path`. */
  noHttpPath?: boolean;
  /** The route must name an auth scheme (as mod_http_muc_kick refuses to load without one). */
  requiresAuth?: boolean;
  /**
   * The XEP-0356 permissions the plugin needs with these options: the host waits for the grants
   * and warns once when one is missing, with the plugin's reason.
   */
  privileges?(options: Static<S>, xmpp: { component: string; host: string }): PrivilegeNeed[];
  /** The addresses the plugin's stanza handlers claim with these options: `check` refuses collisions. */
  stanzas?(options: Static<S>, route: { path: string }, xmpp: { component: string }): DeclaredClaim[];
  /**
   * The error codes only this plugin answers (HTTP codes from `ownErrors`, stanza errors by name):
   * added to the shared catalogue when the plugin registers.
   */
  errors?: OwnErrors;
  /** The steps of this plugin's stored data, run once each, in order, before `setup`. */
  migrations?: readonly Migration[];
  /** Checks the schema cannot express; run by `check` too. */
  validate?(
    options: Static<S>,
    route: { auth?: string | undefined },
    xmpp: { component: string; host: string } | undefined,
  ): OptionProblem[];
  setup(ctx: PluginContext<Static<S>>): PluginInstance | Promise<PluginInstance>;
}

export function definePlugin<S extends TSchema>(definition: PluginDefinition<S>): PluginDefinition<S> {
  return definition;
}
