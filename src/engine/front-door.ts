/**
 * What every request goes through before routing: a URL the router can read whatever the Host
 * header said, methods no route implements (501), bodies over `http.max_body_bytes` (413, JSON,
 * counted while they stream), and a debug line when the client hangs up before the answer.
 */
import { GatewayError, errorResponse } from "../errors.ts";
import type { Logger } from "../log.ts";
import { tooLarge } from "../plugin-api/request-body.ts";

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

/** The request with an origin Elysia can route and `new URL()` can parse; itself when it has one. */
export function routable(request: Request): Request {
  const url = request.url;
  const scheme = url.indexOf("://");
  const pathStart = scheme === -1 ? 0 : url.indexOf("/", scheme + 3);
  if (scheme !== -1 && pathStart >= ELYSIA_PATH_SEARCH_START && URL.canParse(url)) return request;
  const path = pathStart === -1 ? "/" : url.slice(pathStart);
  return new Request(ROUTING_ORIGIN + (path.startsWith("/") ? path : `/${path}`), request);
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
    return errorResponse(new GatewayError("METHOD_NOT_IMPLEMENTED", `No route of this gateway uses ${request.method}`, { details: { method: request.method } }));
  }
  if (Number(request.headers.get("content-length") ?? 0) > maxBodyBytes) return errorResponse(tooLarge(maxBodyBytes));
  return undefined;
}

/**
 * A body sent without Content-Length (chunked) has no size until it is read: this one errors with
 * BODY_TOO_LARGE at the first byte past the limit, so whatever reads it answers a JSON 413.
 */
export function limitBody(request: Request, maxBodyBytes: number): Request {
  if (!request.body || request.headers.has("content-length")) return request;
  let seen = 0;
  const limiter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBodyBytes) controller.error(tooLarge(maxBodyBytes));
      else controller.enqueue(chunk);
    },
  });
  return new Request(request.url, { method: request.method, headers: request.headers, body: request.body.pipeThrough(limiter), signal: request.signal, duplex: "half" } as RequestInit);
}

/** A client that hangs up is routine (a timeout, a closed tab): debug, never error. */
export function noteHangUp(request: Request, response: Response, log: Logger): void {
  if (request.signal.aborted) log.debug("client closed the connection before the answer", { method: request.method, path: pathOf(request), status: response.status });
}

export function pathOf(request: Request): string {
  return URL.canParse(request.url) ? new URL(request.url).pathname : request.url;
}
