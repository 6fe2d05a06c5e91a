/**
 * Reload on SIGHUP: re-read routes.yaml and, when it passes every check, swap it in (app.ts
 * `reload`); otherwise keep the running configuration and log each problem with its location.
 * Signals that arrive during a reload are coalesced into one more reload, so a storm of them
 * ends on the file as it was after the last signal.
 */
import { createHash } from "node:crypto";
import { parse } from "yaml";
import { hideSecret } from "./http/route-labels.ts";
import { FEATURE_REGISTRY, type Config } from "./features/index.ts";
import type { RouteBase } from "./feature-api.ts";
import type { Logger } from "./log.ts";

/**
 * 24 bits of the path's SHA-256: enough to tell two secrets apart in a log, too few to single one
 * out (the 12 hidden hex digits of a 16-character secret leave millions of others with this hash).
 */
const SECRET_HASH_HEX = 6;

/** What changed between two configurations, by name; `refused` lists changes a reload cannot make. */
export interface ConfigChanges {
  xmpp: boolean;
  listen: boolean;
  throttle: boolean;
  /** Set by the gateway when a reload found new content in http.tls's files (a renewed certificate). */
  certificate?: boolean;
  /** Sections read only at start-up that changed: applied at the next restart. */
  restartOnly: string[];
  refused: string[];
}

/**
 * `started` is the configuration the gateway started with: sections read only at start-up are
 * compared with it, not with the last reload's, so a reload that reverts `store:` to the store in
 * use says nothing is waiting for a restart.
 */
export function diffConfigs(old: Config, next: Config, started: Config = old): ConfigChanges {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const refused =
    old.xmpp.component === next.xmpp.component
      ? []
      : [`xmpp.component cannot change on reload (the outbox holds stanzas from ${old.xmpp.component}): restart instead`];
  const restartOnly = [
    ...(started.store === next.store ? [] : ["store"]),
    ...(same(started.outbox, next.outbox) ? [] : ["outbox"]),
    ...(same(started.log, next.log) ? [] : ["log"]),
  ];
  return {
    xmpp: !same(old.xmpp, next.xmpp),
    listen: old.http.listen !== next.http.listen || old.http.max_body_bytes !== next.http.max_body_bytes,
    throttle: !same(old.auth_throttle, next.auth_throttle),
    restartOnly,
    refused,
  };
}

/** The parts of routes.yaml the log line names: routes by their kind's label, auth schemes by name, sections' entries. */
export interface Snapshot {
  config: Config;
  /** routes.yaml as parsed YAML, before checks: what each route, scheme and entry was written as. */
  raw: { routes?: unknown[]; auth?: Record<string, unknown>; [section: string]: unknown };
}

export function snapshot(config: Config, text: string): Snapshot {
  const raw: unknown = parse(text);
  return { config, raw: raw && typeof raw === "object" ? (raw as Snapshot["raw"]) : {} };
}

/** `{ added, removed, changed }` between two keyed collections; empty lists left out. */
function delta(old: Map<string, string>, next: Map<string, string>): Record<string, string[]> {
  const added = [...next.keys()].filter((k) => !old.has(k));
  const removed = [...old.keys()].filter((k) => !next.has(k));
  const changed = [...next.keys()].filter((k) => old.has(k) && old.get(k) !== next.get(k));
  return Object.fromEntries(Object.entries({ added, removed, changed }).filter(([, v]) => v.length));
}

/**
 * How the log line names a route: as its kind labels it (`POST /alert`, `post_msg /msg`). A kind
 * whose path is its secret (RouteKind.secretPath) is named with the secret cut, as the request
 * log shows it, and a short hash of the path after it: a rotated secret is a route removed and
 * one added, and two routes whose secrets start alike stay two, without the log holding either.
 */
function routeKey(route: RouteBase): string {
  const { kind } = FEATURE_REGISTRY.compiled(route);
  const label = kind.label?.(route) ?? `${route.kind} ${route.path}`;
  if (!kind.secretPath) return label;
  const hash = createHash("sha256").update(route.path).digest("hex").slice(0, SECRET_HASH_HEX);
  return `${label.replaceAll(route.path, hideSecret(route.path))} #${hash}`;
}

/** A list section's entries (bots by JID) as its feature names them, each with what it was written as. */
function sectionDeltas(old: Snapshot, next: Snapshot): Record<string, Record<string, string[]>> {
  const entries = (s: Snapshot, section: (typeof FEATURE_REGISTRY.sections)[number]) => {
    const raw = s.raw[section.key];
    const names = section.entries?.(FEATURE_REGISTRY.section(s.config, section.key)) ?? [];
    return new Map(names.map((name, i) => [name, JSON.stringify(Array.isArray(raw) ? raw[i] : undefined)]));
  };
  return Object.fromEntries(
    FEATURE_REGISTRY.sections.filter((s) => s.entries).map((s) => [s.key, delta(entries(old, s), entries(next, s))]),
  );
}

/** The fields of the "configuration reloaded" line. */
function describeReload(old: Snapshot, next: Snapshot, changes: ConfigChanges): Record<string, unknown> {
  const routes = (s: Snapshot) => new Map(s.config.routes.map((r, i) => [routeKey(r), JSON.stringify(s.raw.routes?.[i])]));
  const auth = (s: Snapshot) => new Map(Object.keys(s.config.auth).map((name) => [name, JSON.stringify(s.raw.auth?.[name])]));
  return {
    routes: delta(routes(old), routes(next)),
    auth: delta(auth(old), auth(next)),
    ...sectionDeltas(old, next),
    xmpp: changes.xmpp ? "reconnecting with the new settings" : "unchanged",
    http: changes.listen ? `rebound to ${next.config.http.listen}` : changes.certificate ? "certificate reloaded" : "unchanged",
    ...(changes.restartOnly.length ? { not_applied_until_restart: changes.restartOnly } : {}),
  };
}

export type ReadResult = { ok: true; config: Config; text: string } | { ok: false; errors: string[] };

export interface ReloaderDeps {
  initial: Snapshot;
  /** Reads and checks routes.yaml; errors as `file:line:col  error  path  message` lines. */
  read(): Promise<ReadResult>;
  apply(config: Config): Promise<ConfigChanges>;
  log: Logger;
  onOutcome?(outcome: "applied" | "rejected"): void;
}

export interface Reloader {
  /** Asks for a reload; resolves when no reload is pending any more. */
  request(): Promise<void>;
}

export function createReloader(deps: ReloaderDeps): Reloader {
  let running: Promise<void> | undefined;
  let pending = false;
  let active = deps.initial;
  const once = async () => {
    const read = await deps.read();
    if (!read.ok) {
      deps.log.error("reload refused: routes.yaml has errors; the running configuration stays", { errors: read.errors });
      deps.onOutcome?.("rejected");
      return;
    }
    try {
      const next = snapshot(read.config, read.text);
      const changes = await deps.apply(read.config);
      deps.log.info("configuration reloaded", describeReload(active, next, changes));
      active = next;
      deps.onOutcome?.("applied");
    } catch (err) {
      deps.log.error("reload failed; the running configuration stays", { err });
      deps.onOutcome?.("rejected");
    }
  };
  const loop = async () => {
    while (pending) {
      pending = false;
      await once();
    }
    running = undefined;
  };
  return {
    request() {
      pending = true;
      running ??= loop();
      return running;
    },
  };
}
