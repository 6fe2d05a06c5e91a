/**
 * The routes a request reaches without Elysia's per-request work: the path looked up once in a
 * router tree of our own and the route's answer called straight away. Elysia (app.ts) still
 * answers everything else: a path no route of the request's method serves (404, 405 with Allow),
 * OPTIONS and HEAD, a loose trailing slash, optional parameters. Measured (issue 24,
 * bench/probes/builds.ts, 8 rounds x 10,000 alternated with the build before): 5% less gateway
 * CPU per post_msg and 2% per declarative message (medians; Elysia builds a context object and
 * maps the answer for each request, which none of our handlers reads or needs).
 *
 * Same answers as Elysia's router, by construction: the same tree (memoirist, which Elysia uses),
 * the same parameter decoding (an escape that is not UTF-8 gives null, which app.ts refuses), the
 * same path (from the first slash after the origin to the query). And every routed path is in
 * every method's tree, so the tightest pattern wins whatever the method (as the front door's
 * route labels assume); a path whose tightest pattern has no route of this method finds nothing
 * here and goes to Elysia.
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
  // `false`: a path of another method, left to Elysia (memoirist reads a null store as none).
  const tree = new Memoirist<Respond | false>({ onParam: decodeParam });
  // Optional parameters (`/:a?`) are several patterns to Elysia: left to it. So is HEAD, even
  // where a route registers it (files): Elysia answers it without the body the handler returns.
  const plain = routes.filter((r) => !r.path.includes("?") && r.method !== "HEAD");
  for (const r of plain) tree.add(r.method, r.path, r.respond, { ignoreError: true });
  for (const method of new Set(plain.map((r) => r.method)))
    for (const path of new Set(plain.map((r) => r.path))) tree.add(method, path, false, { ignoreError: true });
  return {
    find(request) {
      const hit = tree.find(request.method, routedPath(request.url));
      return hit?.store ? { respond: hit.store, params: hit.params } : undefined;
    },
  };
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
