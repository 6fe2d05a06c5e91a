/**
 * The routes a request reaches without Elysia's per-request work: the path looked up once in a
 * router tree of our own and the route's answer called straight away. Elysia (app.ts) still
 * answers everything else: a path no route of the request's method serves (404, 405 with Allow),
 * OPTIONS and HEAD, a loose trailing slash, a percent-encoded spelling of a fixed path, optional
 * parameters. Measured (issue 24,
 * bench/probes/builds.ts, 8 rounds x 10,000 alternated with the build before): 5% less gateway
 * CPU per post_msg and 2% per declarative message (medians; Elysia builds a context object and
 * maps the answer for each request, which none of our handlers reads or needs).
 *
 * Same answers as Elysia's router, by construction: the same tree (memoirist, which Elysia uses),
 * the same parameter decoding (an escape that is not UTF-8 gives null, which app.ts refuses), the
 * same path (from the first slash after the origin to the query). Every routed path is in every
 * method's tree, so the tightest pattern wins whatever the method (as the front door's route labels
 * assume), and so is every other spelling Elysia routes it by; a path whose tightest pattern has
 * no route of this method here, or is such a spelling, finds nothing and goes to Elysia.
 */
import { Memoirist } from "memoirist";

export type Respond = (request: Request, params: Record<string, string> | undefined) => Promise<Response>;

export interface DirectRoute {
  method: string;
  path: string;
  respond: Respond;
}

export interface DirectRoutes {
  /** The route serving this request directly, with its decoded parameters; undefined: ask Elysia. */
  find(request: Request): { respond: Respond; params: Record<string, string> } | undefined;
}

export function directRoutes(routes: readonly DirectRoute[]): DirectRoutes {
  // Optional parameters (`/:a?`) are several patterns to Elysia: left to it. So is HEAD, even
  // where a route registers it (files): Elysia answers it without the body the handler returns.
  const plain = routes.filter((r) => !r.path.includes("?") && r.method !== "HEAD");
  const methods = new Set(plain.map((r) => r.method));
  const exact = new Set(plain.map((r) => r.path));
  // `false`: a path left to Elysia (memoirist reads a null store as none).
  const tree = new Memoirist<Respond | false>({ onParam: decodeParam });
  const leaveToElysia = (path: string) => {
    for (const method of methods) tree.add(method, path, false, { ignoreError: true });
  };
  // Every other spelling Elysia routes a path by is Elysia's: without it, `/tür` asked as
  // `/t%C3%BCr`, `/alerts` of `/alerts/:room?` or `/msg/` of `/msg` would fall to a looser pattern
  // here (ntfy's `/:topic`, a wildcard). Marked first: memoirist keeps the first store of a path,
  // and a wildcard route (`/msg/*`) already puts its base (`/msg/`) in its history.
  for (const path of new Set(routes.map((r) => r.path)))
    for (const spelling of elysiaSpellings(path)) if (!exact.has(spelling)) leaveToElysia(spelling);
  for (const r of plain) tree.add(r.method, r.path, r.respond, { ignoreError: true });
  // Then every path in every method's tree: a path of another method is Elysia's (405).
  for (const path of exact) leaveToElysia(path);
  return {
    find(request) {
      const hit = tree.find(request.method, routedPath(request.url));
      return hit?.store ? { respond: hit.store, params: hit.params } : undefined;
    },
  };
}

/**
 * What Elysia 1.4 routes a registered path by (elysia/dist/index.mjs `add`, utils.mjs `getLoosePath`,
 * `encodePath`): the path, its loose twin (a trailing slash added or taken away: `strictPath` is
 * off), its percent-encoded twin (`:` and `?` kept) and that one's loose twin. memoirist expands an
 * optional parameter itself.
 */
function elysiaSpellings(path: string): string[] {
  const loose = (p: string) => (p.endsWith("/") ? p.slice(0, -1) : `${p}/`);
  const encoded = encodeURIComponent(path).replace(/%2F/g, "/").replace(/%3A/g, ":").replace(/%3F/g, "?");
  return [path, loose(path), encoded, loose(encoded)].filter((p) => p !== "");
}

/**
 * The path as Elysia's router sees it: from the first slash after `http://x` to the query. The
 * front door (front-door.ts `routable`) gives every URL an origin that long.
 */
function routedPath(url: string): string {
  const start = url.indexOf("/", 11);
  const query = url.indexOf("?", start + 1);
  return query === -1 ? url.substring(start) : url.substring(start, query);
}

/** A percent-escaped segment decoded; null when it is not UTF-8 (as Elysia's decoder answers). */
function decodeParam(value: string): string | null {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
