/**
 * What every kind of routes[] entry checks the same way: its auth scheme's name, its path, and
 * that no other route serves the same one.
 */
import type { PathSegments } from "./diagnostics.ts";
import { didYouMean } from "./suggest.ts";
import type { RouteChecks } from "./feature-shape.ts";

export function checkAuthRef(name: unknown, at: PathSegments, c: RouteChecks): void {
  if (typeof name !== "string" || c.authNames.includes(name)) return;
  const defined = c.authNames.join(", ") || "none";
  c.diagnostics.push(c.locate.at([...at, "auth"], `no auth scheme named "${name}"${didYouMean(name, c.authNames)} (defined: ${defined})`));
}

/**
 * The key a route is served under: `:name` segments are one shape whatever their names, since the
 * router cannot tell `/hooks/:id` from `/hooks/:token` (both taken, every request to either fails).
 */
export const servedKey = (key: string): string => key.replace(/\/:[^/]+/g, "/:");

/** `key` is `METHOD path`, or `* path` for a route serving every method below its path. */
export function checkDuplicate(key: string, path: string, at: PathSegments, c: RouteChecks): void {
  const other = c.served.get(servedKey(key));
  if (other) c.diagnostics.push(c.locate.at([...at, "path"], `path ${path} is already served by ${other}`));
  else {
    c.served.set(servedKey(key), routeLabel(at));
    checkParameterNames(key.slice(key.indexOf(" ") + 1), at, c);
  }
}

/**
 * The router keeps one tree of every path (whatever the method): at one place after the same
 * segments it holds one parameter name, and a second name there fails every request, /health
 * included, from the first one on. `/:svc/up` beside `/:tenant/alert` is refused here instead.
 */
function checkParameterNames(pattern: string, at: PathSegments, c: RouteChecks): void {
  const segments = pattern.split("/");
  for (const [i, segment] of segments.entries()) {
    if (!segment.startsWith(":")) continue;
    const place = servedKey(segments.slice(0, i).join("/"));
    const name = segment.slice(1);
    const held = c.parameters.get(place);
    if (held === undefined) c.parameters.set(place, { name, route: routeLabel(at) });
    else if (held.name !== name) {
      c.diagnostics.push(
        c.locate.at(
          [...at, "path"],
          `parameter :${name} sits where ${held.route} has :${held.name} (after ${place || "/"}): the router takes one name at one place, so name it :${held.name} too`,
        ),
      );
      return;
    }
  }
}

export const validPath = (p: unknown): string | undefined => (typeof p === "string" && p.startsWith("/") ? p : undefined);

/** `routes[2]`: how log lines and diagnostics name a route. */
export const routeLabel = (at: PathSegments) => `routes[${at[1]}]`;
