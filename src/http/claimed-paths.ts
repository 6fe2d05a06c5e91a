/**
 * Whose a path is when no route of its own serves it. Every fixed segment a route's path starts
 * with claims the paths below it: `/hooks/<id>` claims `/hooks/…`. A request below a claimed
 * prefix that a catch-all route (RouteKind.catchAll: ntfy's `/:topic` at `/`) took through a
 * parameter at that place (a Mattermost URL with a wrong id would be published as topic "hooks"
 * and answered 200), or that no route takes, is answered by the claim instead: the owning
 * format's own "unknown webhook" answer (CoreRegistrar.unknown), else the gateway's 404. Any
 * other route keeps what the router gives it (a declarative `/:svc/up` serves `/status/up` beside
 * `/status/ping`). Segments compare decoded and without case, as the router's parameters are
 * decoded (`/%68ooks/…` is topic "hooks") and a mistyped `/APPRISE` is still Apprise's.
 */
import type { HttpHandler, HttpRequest } from "../plugin-api/index.ts";

/** An answer for the unknown paths below a prefix (the format's "unknown webhook"). */
export interface UnknownResponder {
  prefix: string;
  handler: HttpHandler;
}

export interface ClaimedPaths {
  /**
   * The answer for `path` when a route with a parameter where a claimed prefix has a fixed
   * segment took it (`pattern`), or when no route did (`pattern` undefined); else undefined.
   */
  answer(path: string, pattern: string | undefined, request: HttpRequest): ReturnType<HttpHandler> | undefined;
  /** Whether `path`, which `pattern` matched (undefined: none did), is a claimed path's: `answer` answers it. */
  claims(path: string, pattern: string | undefined): boolean;
  /** Whether a catch-all's pattern can take a claimed path (a parameter where another path is fixed): the others need no look. */
  open(pattern: string): boolean;
}

/**
 * A path's segments as the router's parameters see them, in lower case: each decoded once (the
 * router hands `:topic` of `/%68ooks/…` over as `hooks`), empty ones dropped (`//hooks/…` is
 * under `/hooks`). A segment that does not decode stays as it came.
 */
export function pathSegments(path: string): string[] {
  return path.split("/").flatMap((segment) => (segment === "" ? [] : [decodeOnce(segment).toLowerCase()]));
}

function decodeOnce(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const segments = pathSegments;
const isParam = (segment: string) => segment.startsWith(":") || segment === "*";

/** `notFound` answers a claimed path whose owner has no responder (a declarative route's, Teams', Apprise's). */
export function claimedPaths(
  patterns: readonly string[],
  responders: readonly UnknownResponder[] = [],
  notFound?: HttpHandler,
): ClaimedPaths {
  const fixed = new Set<string>();
  for (const pattern of patterns) {
    const prefix: string[] = [];
    for (const segment of segments(pattern)) {
      if (isParam(segment)) break;
      prefix.push(segment);
      fixed.add(prefix.join("/"));
    }
  }
  const claims = (path: string, pattern: string | undefined): boolean => {
    const at = pattern === undefined ? 0 : segments(pattern).findIndex(isParam);
    return (
      at !== -1 &&
      fixed.has(
        segments(path)
          .slice(0, at + 1)
          .join("/"),
      )
    );
  };
  const owners = responders.map((r) => ({ prefix: segments(r.prefix), handler: r.handler })).filter((r) => r.prefix.length > 0);
  return {
    open(pattern) {
      const parts = segments(pattern);
      const at = parts.findIndex(isParam);
      if (at === -1) return false;
      const before = parts.slice(0, at).join("/");
      return [...fixed].some((f) => f.split("/").length === at + 1 && (at === 0 || f.startsWith(`${before}/`)));
    },
    claims,
    answer(path, pattern, request) {
      if (!claims(path, pattern)) return undefined;
      return (ownerOf(owners, segments(path)) ?? notFound)?.(request);
    },
  };
}

/** The responder whose prefix shares the most leading segments with the path (the first segment at least). */
function ownerOf(owners: ReadonlyArray<{ prefix: string[]; handler: HttpHandler }>, asked: readonly string[]): HttpHandler | undefined {
  let best: { shared: number; handler: HttpHandler } | undefined;
  for (const { prefix, handler } of owners) {
    let shared = 0;
    while (shared < prefix.length && prefix[shared] === asked[shared]) shared++;
    if (shared > 0 && (!best || shared > best.shared)) best = { shared, handler };
  }
  return best?.handler;
}
