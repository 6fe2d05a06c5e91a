/**
 * What every request goes through before routing: a URL the router can read whatever the Host
 * header said, its context (request-context.ts: client address, route, start time), methods no
 * route implements (501), bodies over `http.max_body_bytes` (413 in the matched route's shape
 * when declared, counted while they stream when not), and a debug line when the client hangs up
 * before the answer.
 */
import { GatewayError, errorResponse } from "../plugin-api/errors.ts";
import type { Logger } from "../log.ts";
import { tooLarge } from "../kit/request-body.ts";
import { GatewayRequest, adoptRequest, pathOf, type RequestContext } from "./request-context.ts";
import { carrySocket } from "./upgrade.ts";
import type { RouteLabel } from "./route-labels.ts";

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

/**
 * How a route tells a refusal in its sender's shape (Slack's `request_too_large`, Gotify's error
 * JSON...): the front door answers with it when it refuses a request the route would have served.
 */
export type Refuse = (error: GatewayError, request: Request) => Response;

/** What the front door of one configuration knows. */
export interface Door {
  /** http.max_body_bytes. */
  maxBodyBytes: number;
  /** The client address of a request from `peer` (client-address.ts). */
  clientAddress(peer: string, headers: Headers): string;
  /** The path pattern of the route serving a path, the path as it may be logged, and its refusals' shape (route-labels.ts). */
  routeOf(method: string, path: string): RouteLabel;
}

/**
 * Lets a request in: the one place its URL is made routable, its body bounded and its context
 * made. What comes after reads the context and never rebuilds the request.
 */
export function enter(request: Request, peer: string, door: Door): GatewayRequest {
  const started = performance.now();
  const { url, path } = routable(request.url);
  // A secret path (a webhook URL) is never logged, nor told in a message: the label has it hidden.
  const label = door.routeOf(request.method, path);
  // Spelled out rather than spread: one object of a fixed shape per request, no property copy loop.
  const context: RequestContext = {
    peer,
    client: door.clientAddress(peer, request.headers),
    route: label.route,
    path: label.path,
    refuse: label.refuse,
    maxBodyBytes: label.maxBodyBytes,
    started,
  };
  const init = limitBody(request, context.maxBodyBytes ?? door.maxBodyBytes);
  if (url === request.url && init === request) return adoptRequest(request, context);
  const rebuilt = new GatewayRequest(url, init, context);
  carrySocket(request, rebuilt);
  return rebuilt;
}

export interface FrontDoorOptions {
  /** Every method some route (or the health endpoints, or CORS) serves. */
  implemented: ReadonlySet<string>;
  maxBodyBytes: number;
  log: Logger;
}

/**
 * The answer to give without routing, if any (RFC 9110 §9.1: an unimplemented method is 501). A
 * declared body over the limit is refused unread, in the shape of the route it was sent to: every
 * real sender declares Content-Length, so this is the 413 they see.
 */
export function refuseEarly(request: Request, { implemented, maxBodyBytes }: FrontDoorOptions): Response | undefined {
  if (!implemented.has(request.method)) {
    return errorResponse(
      new GatewayError("METHOD_NOT_IMPLEMENTED", `No route of this gateway uses ${request.method}`, {
        details: { method: request.method },
      }),
    );
  }
  const limit = (request instanceof GatewayRequest ? request.context.maxBodyBytes : undefined) ?? maxBodyBytes;
  if (Number(request.headers.get("content-length") ?? 0) > limit) {
    const refuse = request instanceof GatewayRequest ? request.context.refuse : undefined;
    return refuse ? refuse(tooLarge(limit), request) : errorResponse(tooLarge(limit));
  }
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
