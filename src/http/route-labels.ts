/**
 * How a request is named in the request log, the metric labels and every message built from its
 * path (a 405's sentence, an unhandled error's log line): the route's path pattern, a bounded
 * label, and the path with whatever is a secret hidden. A route of a kind whose path is its secret
 * (RouteKind.secretPath: Slack's, Mattermost's, Teams' webhook URLs, Discord's `:token`) is shown
 * with its last literal segment cut to four characters, or with its parameters as `…`; a
 * `:token` parameter of any route, and those it registers as secret (a file's id), are shown as `…`; and a path no route of its own serves, that
 * starts as a secret route's does (a mistyped webhook URL, a wrong secret), keeps only that first
 * segment: it is most likely a near miss of the secret. A path another route's fixed segments
 * claim (claimed-paths.ts) is "(unmatched)" even where a parameter matched it (ntfy's `/:topic`):
 * it is answered as no route's.
 */
import type { GatewayError } from "../plugin-api/errors.ts";
import { LruMap } from "../kit/bounded.ts";
import { claimedPaths, pathSegments } from "./claimed-paths.ts";

type Refuse = (error: GatewayError, request: Request) => Response;

export interface RouteLabel {
  /** The path pattern of the route serving the path, or "(unmatched)": a bounded metric label. */
  route: string;
  /** The path as it may be logged. */
  path: string;
  /** The shape of the route's refusals, for those the front door makes (front-door.ts `Refuse`). */
  refuse?: Refuse | undefined;
  /** The route's own body limit (a route that takes files), instead of http.max_body_bytes. */
  maxBodyBytes?: number | undefined;
}

interface Pattern {
  method: string;
  path: string;
  secret?: boolean;
  catchAll?: boolean;
  refuse?: Refuse;
  maxBodyBytes?: number;
  secretParams?: readonly string[];
}

const UNMATCHED = "(unmatched)";
/** Paths whose labels are remembered, per configuration. */
const LABELS_REMEMBERED = 1_024;

/**
 * Path patterns of the served routes, matched against a request path: bounded metric labels.
 * `:name` matches one segment and `*` the rest, as in the routes' own syntax. As the router does,
 * a fixed path wins over one with parameters whatever their order (`/message` over ntfy's `/:topic`).
 */
export function routeMatcher(routes: readonly Pattern[]): (method: string, pathname: string) => RouteLabel {
  const claimed = claimedPaths(routes.map((r) => r.path));
  const compiled = routes
    .map((r) => ({ ...r, re: patternRegExp(r.path), looseness: looseness(r.path), open: r.catchAll === true && claimed.open(r.path) }))
    .sort((a, b) => a.looseness - b.looseness);
  const secretRoots = new Set(routes.filter((r) => r.secret).map((r) => firstSegment(r.path)));
  // A path no route serves below a route's fixed first segment is that route's unknown path
  // (claimed-paths.ts): the front door's refusals of it are in that route's shape too.
  const owners = new Map<string, Refuse>();
  for (const r of routes) {
    const root = firstSegment(r.path);
    if (r.refuse && root !== "" && !/^[:*]/.test(root) && !owners.has(root)) owners.set(root, r.refuse);
  }
  const label = (method: string, pathname: string): RouteLabel => {
    // The router takes the tightest pattern whatever the method (every path answers all of them,
    // a 405 at least): the method only tells apart the routes of that one pattern.
    const candidates = compiled.filter((r) => r.re.test(pathname));
    const tightest = candidates.filter((r) => r.looseness === candidates[0]?.looseness);
    const matched = tightest.find((r) => r.method === method) ?? tightest[0];
    const found = matched?.open && claimed.claims(pathname, matched.path) ? undefined : matched;
    if (found?.secret) {
      const route = secretLabel(found.path);
      const path = route === found.path ? maskParams(found.path, pathname, () => true) : route;
      return { route, path, refuse: found.refuse, maxBodyBytes: found.maxBodyBytes };
    }
    const route = found?.path ?? UNMATCHED;
    const root = firstSegment(pathname);
    const refuse = found ? found.refuse : owners.get(root);
    // A fixed first segment is the route's own; a parameter there (ntfy's /:topic) or no route at all is not.
    if (secretRoots.has(root) && (!found || firstSegment(found.path) !== root)) return { route, path: `/${root}/…`, refuse };
    if (!found) return { route, path: pathname, refuse };
    const hidden = (name: string) => name === ":token" || (found.secretParams?.includes(name.slice(1)) ?? false);
    const path = maskParams(found.path, pathname, hidden);
    return { route, path, refuse: found.refuse, maxBodyBytes: found.maxBodyBytes };
  };
  // Every request asks, mostly for the same few paths: each regular expression test is done once
  // per path, not once per request. Bounded: random paths push out only the oldest answers.
  const known = new LruMap<string, RouteLabel>(LABELS_REMEMBERED);
  return (method, pathname) => {
    const key = `${method} ${pathname}`;
    const remembered = known.get(key);
    if (remembered) return remembered;
    const answer = label(method, pathname);
    known.set(key, answer);
    return answer;
  };
}

/**
 * `/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e` -> `/hooks/b7rk…`: enough to tell two routes apart, not to
 * call one. How logs, metrics and diagnostics show a secret path.
 */
export function hideSecret(path: string): string {
  return path.replace(/([^/]{0,4})[^/]*$/, "$1…");
}

/** A secret route's label: a literal path with its secret cut, a pattern as it is (its secret is a parameter). */
function secretLabel(path: string): string {
  return path.includes("/:") ? path : hideSecret(path);
}

/** `pathname` with the segments at the parameters of `pattern` that `hide` names shown as `…`. */
function maskParams(pattern: string, pathname: string, hide: (param: string) => boolean): string {
  if (!pattern.includes("/:")) return pathname;
  const names = pattern.split("/");
  return pathname
    .split("/")
    .map((segment, i) => (names[i]?.startsWith(":") && hide(names[i] as string) ? "…" : segment))
    .join("/");
}

/**
 * The first segment as the router's parameters and the claims see it (claimed-paths.ts
 * `pathSegments`: decoded, empty ones dropped, lower-cased), cut at a decoded slash:
 * `/SLACK%2FT0/x`, `/%73lack/x` and `//slack/x` are all under `/slack`.
 */
function firstSegment(path: string): string {
  return (pathSegments(path)[0] ?? "").split("/")[0] ?? "";
}

/** How much of a path its pattern leaves open: a parameter a little, a wildcard everything after it. */
function looseness(path: string): number {
  return path.split("/").reduce((n, seg) => n + (seg === "*" ? 1_000 : seg.startsWith(":") ? 1 : 0), 0);
}

function patternRegExp(path: string): RegExp {
  const body = path
    .split("/")
    .map((seg) => (seg === "*" ? ".*" : seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${body}/?$`);
}
