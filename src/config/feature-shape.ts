/**
 * The loader's half of the feature contract (src/feature-api.ts is the whole, and re-exports it): what a feature adds
 * to routes.yaml and how it is checked. The loader (this folder) reads only this half, so it
 * reaches nothing a running gateway uses (.dependency-cruiser.cjs: config-never-connects).
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Diagnostic, PathSegments, SourceLocator } from "./diagnostics.ts";
import type { CoreConfig } from "./config-types.ts";
import type { OwnErrors } from "../plugin-api/errors.ts";
import type { PluginDefinition } from "../plugin-api/index.ts";

type Json = Record<string, unknown>;

/** What every checked routes[] entry has, whatever its kind; each kind adds its own fields. */
export interface RouteBase {
  /** The kind that compiled it: the registry finds its feature by this name. */
  readonly kind: string;
  /** Where it is in routes.yaml, for log lines: `routes[2]`. */
  readonly at: string;
  readonly path: string;
  /** The name of its auth scheme under `auth:`, when it names one. */
  readonly auth: string | undefined;
  /** The method it serves, for kinds that serve one method at one path (a section's path must not clash with it). */
  readonly method?: string;
}

/** An auth scheme as checked: its kind and its own keys. */
export interface SchemeBase {
  readonly kind: string;
}

/** What checking one routes[] entry may read and where it reports (config/load.ts builds it). */
export interface RouteChecks {
  auth: Readonly<Record<string, SchemeBase>>;
  /** Every name under `auth:`, valid or not: naming a broken scheme is that scheme's problem only. */
  authNames: readonly string[];
  /** The xmpp section when it is valid: plugins check addresses against the component domain. */
  xmpp: { component: string; host: string } | undefined;
  plugins: ReadonlyMap<string, PluginDefinition>;
  /** http.public_url is set, so files can be linked to: an entry that attaches files (`attach:`) needs it. */
  attachments: boolean;
  /** The top-level keys routes.yaml writes, valid or not: an entry that needs a section (an `mqtt:` route, the broker) says so at its place. */
  sections: readonly string[];
  locate: SourceLocator;
  diagnostics: Diagnostic[];
  /** What is worth saying but does not stop the start (a guessable secret path): `check` prints them. */
  warnings: Diagnostic[];
  /** Runs `review` once every route and section is checked: what an entry checks against the whole file (a later route shadowing one of its paths, a bot its topic's address). */
  afterRoutes(review: () => void): void;
  /** `METHOD path` -> the route already serving it, to find duplicates. */
  served: Map<string, string>;
  /** The fixed part before a `:name` segment (names erased) -> that name and the route: the router takes one name per place. */
  parameters: Map<string, { name: string; route: string }>;
  /** A stanza claim (an address, a local part, the catch-all) -> the route and place claiming it first. */
  claimed: Map<string, { route: string; line: number; col: number }>;
  /** The values of `key` that select a kind of their own (`preset: ntfy`), for what lists the known ones. */
  selectable(key: string): string[];
  /** Checks an entry as whatever kind it is: a kind that expands into another (a preset) hands it back here. */
  checkRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): RouteBase | undefined;
}

/** What checking a section may read: the rest of the file, already checked. */
export interface SectionChecks {
  locate: SourceLocator;
  diagnostics: Diagnostic[];
  warnings: Diagnostic[];
  auth: Readonly<Record<string, SchemeBase>>;
  routes: readonly RouteBase[];
  xmpp: { component: string; host: string } | undefined;
  claimed: RouteChecks["claimed"];
  /** As RouteChecks.attachments: a section whose entries attach files (a bot's `attach:`) needs http.public_url. */
  attachments: boolean;
  /** routes.yaml has an `mqtt:` section (RouteChecks.sections): a bot that publishes or watches a topic needs it. */
  mqtt: boolean;
  /** Whether the top level passed its schema; cross-checks of an optional section wait for it, so one mistake is said once. */
  topValid: boolean;
}

/** A kind of routes[] entry. */
export interface RouteKind<R extends RouteBase = RouteBase> {
  /** The `kind` of the routes it compiles; a kind that expands into another's routes (preset) names none. */
  kind?: R["kind"];
  /** The key that selects it in an entry (`plugin`, `preset`); the one kind without is the default. */
  key?: string;
  /** With `key`, the one value of it that selects this kind (`preset: ntfy`, a format written in code). */
  value?: string;
  /**
   * A routes[] entry of this kind as YAML (comments first), for `stanzagate preset NAME` to print:
   * a format written in code has no template to show, so it shows how it is declared.
   */
  example?: string;
  /** The schema of an entry, for `stanzagate schema`, and the reference's table of it under `title`. */
  schema: TSchema;
  title: string;
  check(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): RouteBase | undefined;
  /** How the reload log line names it: `POST /alert`, `post_msg /msg` (a `secretPath` kind's path hidden there, reload.ts). */
  label?(route: R): string;
  /** How well it is the source of a served `method path` (higher wins), or undefined when it is not. */
  serves?(route: R, served: ServedRoute): number | undefined;
  /** Its OpenAPI operation for a served `method path`. */
  operation?(route: R, served: ServedRoute, config: CoreConfig): Json;
  /**
   * Its path is its secret (a webhook URL that only the sender may know, as Slack's): every path
   * its routes register is hidden in logs, metric labels and messages, answers no CORS headers,
   * and is left out of the OpenAPI document (which anyone may read unless openapi.auth is set)
   * unless the secret is a parameter of it (Discord's `:token`).
   */
  secretPath?: boolean;
  /**
   * Its path parameters are a catch-all (ntfy's `/:topic` at `/`): they never take a path below
   * another route's fixed segments (`/hooks/…` when Mattermost serves `/hooks/<id>`), which is
   * answered as that route's unknown path instead (http/claimed-paths.ts). Every other kind keeps
   * what the router gives it, and its `check` warns of what it gives up.
   */
  catchAll?: boolean;
}

export interface ServedRoute {
  method: string;
  path: string;
  /** Registered by a route of a `secretPath` kind. */
  secret?: boolean;
}

/** A kind of auth scheme (`kind: NAME` under `auth:`) as checking sees it; feature-api.ts adds its check of requests. */
export interface AuthKindShape<S extends TSchema = TSchema> {
  kind: string;
  /** The scheme's keys, `kind` included. */
  schema: S;
  /** Its OpenAPI security scheme. */
  securityScheme(scheme: Static<S>): Json;
  /** What the schema cannot say (one key that only some values of another allow): each problem's key and sentence. */
  check?(scheme: Static<S>): Array<{ key: string; message: string }>;
}

/** A top-level section of routes.yaml a feature owns. */
export interface SectionDefinition<Part> {
  key: string;
  schema: TSchema;
  /** The checked part (its defaults filled in), or undefined after pushing its problems. */
  check(raw: unknown, c: SectionChecks): Part | undefined;
  /** The reload log line's entries of the part, by name (bots by JID): added, removed, changed. */
  entries?(part: Part): string[];
}

/** A feature as the loader sees it (what it adds to routes.yaml); feature-api.ts adds what it runs. */
export interface FeatureShape<Part = unknown> {
  /** Its folder under src/features/ and the namespace of its store keys. */
  name: string;
  summary: string;
  section?: SectionDefinition<Part>;
  routeKinds?: readonly RouteKind[];
  authKinds?: readonly AuthKindShape[];
  /** Tables of the reference (docs/reference.md) beyond its section's, route kinds' and auth kinds'. */
  reference?: ReadonlyArray<{ title: string; schema: TSchema }>;
  /** The codes only this feature answers, added to the catalogue when it registers. */
  errors?: OwnErrors;
}
