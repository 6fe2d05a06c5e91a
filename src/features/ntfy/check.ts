/**
 * A `preset: ntfy` entry: its keys, its recipients, its topic names, and the paths it serves,
 * which no other route may serve too. Once every route is checked: a route that serves a listed
 * topic's path, or paths below it, takes it (explicit routes win; warned, never refused), a
 * catch-all `to:` at a root other routes' paths start under is warned of (a topic named as their
 * first segment is theirs, http/claimed-paths.ts), and a route with a path
 * parameter where this one has `:topic` or `:sequence_id`, for any method, is refused: the router
 * answers every method of a path it knows (405) from one tree, where two parameters at one place
 * cannot both be (every request would fail).
 */
import type { PathSegments } from "../../config/diagnostics.ts";
import { checkSchema } from "../../config/check-schema.ts";
import { checkAuthRef, checkDuplicate, routeLabel } from "../../config/route-checks.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { checkRecipientList, checkRecipients, type RouteRoomEntries } from "../../config/route-recipients.ts";
import { DISALLOWED, NAME } from "./publish.ts";
import { NtfyRouteSchema, type NtfyRoute } from "./schema.ts";
import { servedPaths, topicPath } from "./paths.ts";
import { checkAccess } from "./check-access.ts";

/** The health endpoints' paths (src/features/health/): a topic of the same name at `/` is theirs. */
const HEALTH_PATHS = ["/healthz", "/health", "/readyz"];

export function checkNtfyRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): NtfyRoute | undefined {
  const keys = checkSchema(NtfyRouteSchema, raw, at, c.locate, c.diagnostics);
  checkAuthRef(raw.auth, at, c);
  const path = rootOf(raw.path ?? "/", at, c);
  const rooms: RouteRoomEntries = {};
  const to = raw.to === undefined ? undefined : checkRecipients(raw.to, at, c, rooms);
  const topics = topicsOf(raw.topics, [...at, "topics"], c, rooms);
  if (raw.to === undefined && raw.topics === undefined)
    c.diagnostics.push(c.locate.at(at, "a ntfy route needs to: (who gets every topic) or topics: (who gets each listed one), or both"));
  if (!path) return undefined;
  const label = routeLabel(at);
  for (const served of servedPaths(path, raw.subscribe !== undefined))
    checkDuplicate(`${served.method} ${served.path}`, served.path, at, c);
  c.afterRoutes(() => review(path, Object.keys(topics ?? {}), at, c));
  if (raw.to !== undefined && keys?.shared_root !== true) c.afterRoutes(() => reviewCatchAll(path, at, c));
  if (!keys || !topics || (raw.to !== undefined && !to)) return undefined;
  checkAccess(keys.access, keys.auth, [...at, "access"], c);
  const { subscribe, access } = keys;
  return { kind: "ntfy", at: label, name: keys.name ?? `ntfy ${path}`, path, auth: keys.auth, to, topics, rooms, subscribe, access };
}

/** A fixed path: its segments after it are the topics. `/ntfy/` is `/ntfy`. */
function rootOf(raw: unknown, at: PathSegments, c: RouteChecks): string | undefined {
  if (typeof raw !== "string" || !raw.startsWith("/")) return undefined;
  if (/[:*?]/.test(raw)) {
    c.diagnostics.push(
      c.locate.at([...at, "path"], `the ntfy root must be a fixed path (its topics are the segments after it), found ${raw}`),
    );
    return undefined;
  }
  return raw === "/" ? raw : raw.replace(/\/+$/, "") || "/";
}

function topicsOf(raw: unknown, at: PathSegments, c: RouteChecks, rooms: RouteRoomEntries): Record<string, string[]> | undefined {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const topics: Record<string, string[]> = {};
  let ok = true;
  for (const [name, to] of Object.entries(raw)) {
    const where = [...at, name];
    if (!NAME.test(name) || DISALLOWED.has(name)) {
      const why = NAME.test(name) ? "is one ntfy keeps for itself" : "is not a ntfy topic name ([-_A-Za-z0-9], 1 to 64 characters)";
      c.diagnostics.push(c.locate.at(where, `topic ${JSON.stringify(name)} ${why}`, { key: true }));
      ok = false;
    }
    const list = checkRecipientList(to, where, c, rooms);
    if (list) topics[name] = list;
    else ok = false;
  }
  return ok ? topics : undefined;
}

/** Against every route of the file: a clash of parameter names is an error, a listed topic another route serves a warning. */
function review(root: string, topics: string[], at: PathSegments, c: RouteChecks): void {
  const mine = routeLabel(at);
  const patterns = servedPaths(root).map((s) => s.path);
  for (const [key, label] of c.served) {
    if (label === mine) continue;
    const [method = "", path = ""] = key.split(" ", 2);
    const clash = patterns.find((p) => paramClash(p, path));
    if (clash)
      c.diagnostics.push(
        c.locate.at(
          [...at, "path"],
          `${label} serves ${method} ${path}, with a parameter where this ntfy route has one (${clash}): the router cannot hold both (put one under a fixed segment)`,
        ),
      );
  }
  for (const topic of topics) {
    const why = unreachable(root, topic, mine, c);
    if (why) warn(c, [...at, "topics", topic], `topic ${topic} is unreachable: ${why}`);
  }
}

/** Why a listed topic never reaches this route: another route serves its path, or paths below it, or it is a health endpoint. */
function unreachable(root: string, topic: string, mine: string, c: RouteChecks): string | undefined {
  const p = topicPath(root, topic);
  if (HEALTH_PATHS.includes(p)) return `${p} is the gateway's health endpoint`;
  for (const [key, label] of c.served) {
    if (label === mine) continue;
    const [method = "", path = ""] = key.split(" ", 2);
    const covered = method === "*" ? p === path || p.startsWith(`${path.replace(/\/$/, "")}/`) : p === path;
    // Only the shared segment is named: the rest of the path may be a webhook's secret.
    const segment = nextSegment(root, path);
    const where = covered
      ? path
      : segment?.toLowerCase() === topic.toLowerCase()
        ? `paths under ${topicPath(root, segment ?? "")}/`
        : undefined;
    if (where) return `${label} serves ${where}, and explicit routes win over topics`;
  }
  return undefined;
}

/** The catch-all takes every topic but those other routes' paths start with: said once, with those paths. */
function reviewCatchAll(root: string, at: PathSegments, c: RouteChecks): void {
  const mine = routeLabel(at);
  const shared = new Set<string>();
  for (const [key, label] of c.served) {
    const segment = label === mine ? undefined : nextSegment(root, key.slice(key.indexOf(" ") + 1));
    if (segment) shared.add(topicPath(root, segment.toLowerCase()));
  }
  if (shared.size === 0) return;
  const paths = [...shared].map((p) => `${p}/…`).join(", ");
  warn(
    c,
    [...at, "to"],
    `to: takes every topic under ${root}, which other routes' paths start under too (${paths}): a topic named as one of them is theirs (answered as their unknown path, never published); a root of ntfy's own (path: /ntfy) keeps them apart, or shared_root: true says it is meant (Apprise's ntfy:// posts to /)`,
    false,
  );
}

/** The fixed segment of `path` right after `root` (as written: claimed paths compare it lower-cased), if it is under it. */
function nextSegment(root: string, path: string): string | undefined {
  if (!path.startsWith("/")) return undefined;
  const base = root === "/" ? "" : root;
  if (!path.toLowerCase().startsWith(`${base.toLowerCase()}/`)) return undefined;
  const segment = path.slice(base.length + 1).split("/")[0] ?? "";
  return segment === "" || /^[:*]/.test(segment) ? undefined : segment;
}

function warn(c: RouteChecks, path: PathSegments, message: string, key = true): void {
  c.warnings.push({ ...c.locate.at(path, message, { key }), severity: "warning" });
}

/** Two paths with a parameter at one place after the same fixed segments (served keys name no parameter: `/:`). */
function paramClash(a: string, b: string): boolean {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p = "", q = ""] = [x[i], y[i]];
    if (p.startsWith(":") && q.startsWith(":")) return true;
    if (p !== q || p.startsWith(":") || q.startsWith(":")) return false;
  }
  return false;
}
