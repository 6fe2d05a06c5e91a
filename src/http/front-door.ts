/**
 * What every request goes through before routing: a URL the router can read whatever the Host
 * header said, its context (request-context.ts: client address, route, start time), methods no
 * route implements (501), bodies over `http.max_body_bytes` (413, JSON, counted while they
 * stream), and a debug line when the client hangs up before the answer.
 */
import { GatewayError, errorResponse } from "../plugin-api/errors.ts";
import type { Logger } from "../log.ts";
import { tooLarge } from "../kit/request-body.ts";
import { GatewayRequest, adoptRequest, pathOf, type RequestContext } from "./request-context.ts";

/**
 * The origin requests are routed under when the one they came with cannot be. Elysia (1.4) finds
 * the path with `url.indexOf("/", 11)`, assuming `http://` plus a host of at least 4 characters:
 * with `Host: gw` the URL is `http://gw/healthz`, the search starts inside the path and every
 * route 404s. Bun also gives a relative URL (`/healthz`) when the Host header is empty or not a
 * valid host (`Host: a/b`), which `new URL()` rejects. The Host header itself stays untouched.
 * `.invalid` is reserved (RFC 2606 §2) so this name can never be a real one.
 */
const ROUTING_ORIGIN = "http://stanzagate.invalid";
/** The first index where Elysia looks for the path (see above). */
const ELYSIA_PATH_SEARCH_START = 11;

/**
 * The URL with an origin Elysia can route and `new URL()` can parse (itself when it has one), and
 * its path: parsed once.
 */
function routable(url: string): { url: string; path: string } {
  const scheme = url.indexOf("://");
  const pathStart = scheme === -1 ? 0 : url.indexOf("/", scheme + 3);
  const parsed = scheme !== -1 && pathStart >= ELYSIA_PATH_SEARCH_START ? URL.parse(url) : null;
  if (parsed) return { url, path: parsed.pathname };
  const path = pathStart === -1 ? "/" : url.slice(pathStart);
  const rebuilt = ROUTING_ORIGIN + (path.startsWith("/") ? path : `/${path}`);
  return { url: rebuilt, path: new URL(rebuilt).pathname };
}

/** What the front door of one configuration knows. */
export interface Door {
  /** http.max_body_bytes. */
  maxBodyBytes: number;
  /** The client address of a request from `peer` (client-address.ts). */
  clientAddress(peer: string, headers: Headers): string;
  /** The path pattern of the route serving a path, and whether the path is a secret (routeMatcher). */
  routeOf(method: string, path: string): { route: string; secret: boolean };
}

/**
 * Lets a request in: the one place its URL is made routable, its body bounded and its context
 * made. What comes after reads the context and never rebuilds the request.
 */
export function enter(request: Request, peer: string, door: Door): GatewayRequest {
  const started = performance.now();
  const { url, path } = routable(request.url);
  const { route, secret } = door.routeOf(request.method, path);
  const context: RequestContext = {
    peer,
    client: door.clientAddress(peer, request.headers),
    // A secret path (a webhook URL) is never logged: its route's label says which it was.
    path: secret ? route : path,
    route,
    started,
  };
  const init = limitBody(request, door.maxBodyBytes);
  return url === request.url && init === request ? adoptRequest(request, context) : new GatewayRequest(url, init, context);
}

export interface FrontDoorOptions {
  /** Every method some route (or the health endpoints, or CORS) serves. */
  implemented: ReadonlySet<string>;
  maxBodyBytes: number;
  log: Logger;
}

/** The answer to give without routing, if any (RFC 9110 §9.1: an unimplemented method is 501). */
export function refuseEarly(request: Request, { implemented, maxBodyBytes }: FrontDoorOptions): Response | undefined {
  if (!implemented.has(request.method)) {
    return errorResponse(
      new GatewayError("METHOD_NOT_IMPLEMENTED", `No route of this gateway uses ${request.method}`, {
        details: { method: request.method },
      }),
    );
  }
  if (Number(request.headers.get("content-length") ?? 0) > maxBodyBytes) return errorResponse(tooLarge(maxBodyBytes));
  return undefined;
}

/**
 * A body sent without Content-Length (chunked) has no size until it is read: this one errors with
 * BODY_TOO_LARGE at the first byte past the limit, so whatever reads it answers a JSON 413.
 * Any other request is its own init: everything of it passes on as it came.
 */
function limitBody(request: Request, maxBodyBytes: number): RequestInit {
  if (!request.body || request.headers.has("content-length")) return request;
  let seen = 0;
  const limiter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBodyBytes) controller.error(tooLarge(maxBodyBytes));
      else controller.enqueue(chunk);
    },
  });
  return {
    method: request.method,
    headers: request.headers,
    body: request.body.pipeThrough(limiter),
    signal: request.signal,
    duplex: "half",
  } as RequestInit;
}

/** A client that hangs up is routine (a timeout, a closed tab): debug, never error. */
export function noteHangUp(request: Request, response: Response, log: Logger): void {
  if (request.signal.aborted)
    log.debug("client closed the connection before the answer", { method: request.method, path: pathOf(request), status: response.status });
}

/**
 * Path patterns of the served routes, matched against a request path: bounded metric labels.
 * `:name` matches one segment and `*` the rest, as in the routes' own syntax. A secret path (a
 * webhook URL whose last segment is the credential) is labelled with that segment hidden. As the
 * router does, a fixed path wins over one with parameters whatever their order (`/message` over
 * ntfy's `/:topic`).
 */
export function routeMatcher(
  routes: ReadonlyArray<{ method: string; path: string; secret?: boolean }>,
): (method: string, pathname: string) => { route: string; secret: boolean } {
  const compiled = routes
    .map((r) => ({ ...r, re: patternRegExp(r.path), looseness: looseness(r.path) }))
    .sort((a, b) => a.looseness - b.looseness);
  return (method, pathname) => {
    const candidates = compiled.filter((r) => r.re.test(pathname));
    const found = candidates.find((r) => r.method === method) ?? candidates[0];
    if (!found) return { route: "(unmatched)", secret: false };
    return found.secret ? { route: hideSecret(found.path), secret: true } : { route: found.path, secret: false };
  };
}

/** `/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e` -> `/hooks/b7rk…`: enough to tell two routes apart, not to call one. */
export function hideSecret(path: string): string {
  return path.replace(/([^/]{0,4})[^/]*$/, "$1…");
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
