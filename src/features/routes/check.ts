/**
 * routes[] items: a plugin route against its plugin's option schema and checks, or a declarative
 * route with its body spec and template; then auth names and duplicate paths. Every part of a
 * route is checked even when another part is wrong, so one run of `check` lists every mistake.
 */
import { isRecord } from "../../kit/bounded.ts";
import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { Closed } from "../../config/schema.ts";
import { PluginRouteSchema, DeclarativeRouteSchema } from "./schema.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { checkSchema } from "../../config/check-schema.ts";
import { checkBody } from "./check-body.ts";
import { checkCondition, checkCorrection, checkTemplate, type RouteShape } from "./check-template.ts";
import { checkIqKeys, isIqRequestTemplate } from "./check-iq.ts";
import type { CompiledTemplate } from "../../templates/template.ts";
import { didYouMean } from "../../config/suggest.ts";
import { checkPresetRoute } from "../presets/expand.ts";
import type { PluginDefinition } from "../../plugin-api.ts";
import type { RouteChecks, RouteConfig } from "../../config/config-types.ts";

/** The route's own keys; `body`, `send` and `when` are checked by their own functions below. */
const DeclarativeKeysSchema = Closed({
  ...DeclarativeRouteSchema.properties,
  body: Type.Optional(Type.Unknown()),
  send: Type.Optional(Type.Unknown()),
  when: Type.Optional(Type.Unknown()),
});

export function checkRoute(raw: unknown, index: number, c: RouteChecks): RouteConfig | undefined {
  const at: PathSegments = ["routes", index];
  if (!isRecord(raw)) {
    c.diagnostics.push(c.locate.at(at, `expected a route (path: and send:, plugin: or preset:), found ${JSON.stringify(raw)}`));
    return undefined;
  }
  const before = c.diagnostics.length;
  const route =
    "plugin" in raw
      ? checkPluginRoute(raw, at, c)
      : "preset" in raw
        ? checkPresetRoute(raw, at, c, checkDeclarativeRoute)
        : checkDeclarativeRoute(raw, at, c);
  return c.diagnostics.length === before ? route : undefined;
}

function checkDeclarativeRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): RouteConfig | undefined {
  const keys = checkSchema(DeclarativeKeysSchema, raw, at, c.locate, c.diagnostics);
  const path = validPath(raw.path);
  const method = typeof raw.method === "string" ? raw.method : "POST";
  checkAuthRef(raw.auth, at, c);
  const open = raw.additional_properties === true;
  const body = raw.body === undefined ? undefined : checkBody(raw.body, [...at, "body"], c.locate, c.diagnostics, open);
  const bodyFields = isRecord(raw.body) && !open ? Object.keys(raw.body) : undefined;
  const shape = { path, method, bodyFields };
  const templates = checkSends(raw.send, at, shape, c);
  const when = typeof raw.when === "string" ? checkCondition(raw.when, [...at, "when"], shape, c.locate, c.diagnostics) : undefined;
  if (path) checkDuplicate(`${method} ${path}`, path, at, c);
  const respond = checkIqKeys(raw, at, path, c);
  const correct = keys?.correct
    ? checkCorrection(`${method} ${path}`, keys.correct, [...at, "correct"], shape, c.locate, c.diagnostics)
    : undefined;
  if (
    !keys ||
    !templates ||
    (raw.body !== undefined && body === undefined) ||
    (raw.when !== undefined && !when) ||
    (keys.correct && !correct)
  )
    return undefined;
  return {
    kind: "declarative",
    at: label(at),
    name: keys.name ?? `${keys.method} ${keys.path}`,
    method: keys.method,
    path: keys.path,
    auth: keys.auth,
    body: body ?? undefined,
    templates,
    when,
    strict: keys.strict ?? false,
    maxStanzas: keys.max_stanzas ?? 50,
    iq: isIqRequestTemplate(raw.send),
    timeoutMs: keys.timeout_ms,
    respond,
    correct,
    rooms: { nick: keys.nick, password: roomPasswords(keys.rooms, keys.room_password) },
  };
}

/** XEP-0045 §7.2.6: a room's password, by room JID (case-insensitive), else the route's. */
function roomPasswords(byRoom: Record<string, string> | undefined, fallback: string | undefined): (room: string) => string | undefined {
  const map = new Map(Object.entries(byRoom ?? {}).map(([room, pw]) => [room.toLowerCase(), pw]));
  return (room) => map.get(room.toLowerCase()) ?? fallback;
}

/** `send:` is one template or a list of them; each is compiled and checked at its own place. */
function checkSends(send: unknown, at: PathSegments, shape: RouteShape, c: RouteChecks): CompiledTemplate[] | undefined {
  const list = Array.isArray(send) ? send.map((s, i) => [s, [...at, "send", i]] as const) : [[send, [...at, "send"]] as const];
  if (!list.length) c.diagnostics.push(c.locate.at([...at, "send"], "expected at least one stanza template"));
  const templates = list.map(([source, where]) => {
    if (typeof source === "string" && source !== "") return checkTemplate(source, where, shape, c.locate, c.diagnostics);
    c.diagnostics.push(
      c.locate.at(
        where,
        `expected the stanza template (XML with {{ expr }} placeholders), found ${source === undefined ? "nothing (required)" : JSON.stringify(source)}`,
      ),
    );
    return undefined;
  });
  return list.length && templates.every((t) => t !== undefined) ? (templates as CompiledTemplate[]) : undefined;
}

function checkPluginRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): RouteConfig | undefined {
  const route = checkSchema(PluginRouteSchema, raw, at, c.locate, c.diagnostics);
  checkAuthRef(raw.auth, at, c);
  const plugin = typeof raw.plugin === "string" ? findPlugin(raw.plugin, at, c) : undefined;
  if (!plugin) return undefined;
  const auth = typeof raw.auth === "string" ? raw.auth : undefined;
  if (plugin.requiresAuth && raw.auth === undefined) {
    c.diagnostics.push(c.locate.at(at, `plugin ${plugin.name} needs an auth scheme: add auth: <name> (anyone could call it otherwise)`));
  }
  const options = checkOptions(plugin, raw.options, auth, at, c);
  const path = raw.path === undefined ? plugin.defaultPath : validPath(raw.path);
  if (path && !plugin.noHttpPath) checkDuplicate(`* ${path}`, path, at, c);
  if (options !== undefined && path && c.xmpp) checkClaims(plugin, options, path, at, c);
  if (!route || options === undefined || !path) return undefined;
  return { kind: "plugin", at: label(at), plugin, path, auth, options };
}

function findPlugin(name: string, at: PathSegments, c: RouteChecks): PluginDefinition | undefined {
  const plugin = c.plugins.get(name);
  if (plugin) return plugin;
  const known = [...c.plugins.keys()].sort();
  c.diagnostics.push(
    c.locate.at([...at, "plugin"], `no built-in plugin named "${name}"${didYouMean(name, known)} (known: ${known.join(", ")})`),
  );
  return undefined;
}

/**
 * The options against the plugin's schema, then the plugin's own checks. Those also run when the
 * only schema problems are unknown keys (a typo): with those keys set aside, the rest is valid.
 */
function checkOptions(plugin: PluginDefinition, raw: unknown, auth: string | undefined, at: PathSegments, c: RouteChecks): unknown {
  const options = checkSchema(plugin.options, raw ?? {}, [...at, "options"], c.locate, c.diagnostics);
  const cleaned = options ?? Value.Clean(plugin.options, Value.Default(plugin.options, structuredClone(raw ?? {})));
  if (options !== undefined || Value.Check(plugin.options, cleaned)) {
    for (const p of plugin.validate?.(cleaned, { auth }, c.xmpp) ?? []) c.diagnostics.push(c.locate.at([...at, ...p.path], p.message));
  }
  return options;
}

function checkAuthRef(name: unknown, at: PathSegments, c: RouteChecks): void {
  if (typeof name !== "string" || c.authNames.includes(name)) return;
  const defined = c.authNames.join(", ") || "none";
  c.diagnostics.push(c.locate.at([...at, "auth"], `no auth scheme named "${name}"${didYouMean(name, c.authNames)} (defined: ${defined})`));
}

/** Two routes claiming the same stanzas (src/xmpp/router.ts): the later would never get them. */
function checkClaims(plugin: PluginDefinition, options: unknown, path: string, at: PathSegments, c: RouteChecks): void {
  for (const { claim, path: where } of plugin.stanzas?.(options, { path }, { component: c.xmpp?.component ?? "" }) ?? []) {
    const what =
      "address" in claim
        ? `address ${claim.address.toLowerCase()}`
        : "localPart" in claim
          ? `local part "${claim.localPart}"`
          : "every JID of the component (no local_parts)";
    const here = c.locate.at([...at, ...where], "");
    const first = c.claimed.get(what);
    if (first)
      here.message = `${what} is already claimed by ${first.route} (line ${first.line}, col ${first.col}): only one route can get these stanzas`;
    if (first) c.diagnostics.push(here);
    else c.claimed.set(what, { route: label(at), line: here.line, col: here.col });
  }
}

function checkDuplicate(key: string, path: string, at: PathSegments, c: RouteChecks): void {
  const other = c.served.get(key);
  if (other) c.diagnostics.push(c.locate.at([...at, "path"], `path ${path} is already served by ${other}`));
  else c.served.set(key, label(at));
}

const validPath = (p: unknown): string | undefined => (typeof p === "string" && p.startsWith("/") ? p : undefined);
const label = (at: PathSegments) => `routes[${at[1]}]`;
