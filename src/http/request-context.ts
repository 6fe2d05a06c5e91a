/**
 * One request from the front door to the request log. The front door (front-door.ts `enter`)
 * makes one context per request and the request carries it from then on: Elysia, the handlers,
 * the plugins and the auth schemes pass the request along as they always did, and whatever needs
 * the client address or notes who authenticated reads it there. Nothing is looked up by request,
 * so nothing has to be re-keyed when a request is rebuilt: after the front door, none is.
 *
 * Why on the request: Elysia (1.4) `handle(request)` takes nothing else, its `store` and `decorate`
 * are shared by every request in flight, and `derive` can only compute from what the request
 * carries; and a plugin hands its Authenticator `(request, ip)` (plugin-api/): the request is
 * what reaches it.
 */
import type { GatewayError } from "../plugin-api/errors.ts";

/** The peer of a request handled in-process (Gateway.handle, tests): no socket, no address. */
export const IN_PROCESS_PEER = "local";

export interface RequestContext {
  /** The TCP peer (Bun.serve's requestIP), or IN_PROCESS_PEER. */
  readonly peer: string;
  /**
   * The client address (client-address.ts): the peer, unless the peer is one of
   * http.trusted_proxies and forwarded another. The throttle, the log and plugins all see this one.
   */
  readonly client: string;
  /**
   * The URL's path, without the query string (where callers may put tokens), and with what is a
   * secret hidden (route-labels.ts): what the log and every message built from the path show.
   */
  readonly path: string;
  /** The path pattern of the route serving the path, or "(unmatched)": a bounded metric label. */
  readonly route: string;
  /** performance.now() when the request came in: the request log's duration. */
  readonly started: number;
  /** How the matched route words a refusal (front-door.ts `Refuse`); the gateway's JSON when none. */
  readonly refuse?: ((error: GatewayError, request: Request) => Response) | undefined;
  /** The matched route's body limit when it takes files (route-labels.ts); else http.max_body_bytes holds. */
  readonly maxBodyBytes?: number | undefined;
  /** Who an auth scheme found (Identity.name), once one has: for the request log. */
  identity?: string;
}

/** A request past the front door: a URL the router can parse, a bounded body, and its context. */
export class GatewayRequest extends Request {
  constructor(
    url: string,
    init: RequestInit,
    readonly context: RequestContext,
  ) {
    super(url, init);
  }
}

/**
 * The request as it came, made a GatewayRequest in place: its prototype and its context set, its
 * body, headers and signal untouched. Rebuilding it (`new GatewayRequest(url, request)`) turns
 * the server's native body into a JavaScript stream that every read then pulls through: measured
 * 30-70 µs per request, about a tenth of a message's whole cost. The front door rebuilds only a
 * request whose URL or body it must change (front-door.ts).
 */
export function adoptRequest(request: Request, context: RequestContext): GatewayRequest {
  Object.setPrototypeOf(request, GatewayRequest.prototype);
  Object.defineProperty(request, "context", { value: context, enumerable: true, configurable: true });
  return request as GatewayRequest;
}

/** The client address of a request; "unknown" for one that never went through the front door. */
export function clientOf(request: Request): string {
  return request instanceof GatewayRequest ? request.context.client : "unknown";
}

/**
 * Notes who authenticated a request, for its log line. Auth schemes receive the request a handler
 * was given (plugin-api/ Authenticator): the one that carries the context.
 */
export function noteIdentity(request: Request, identity: string): void {
  if (request instanceof GatewayRequest) request.context.identity = identity;
}

/** The path of a request (Elysia's hooks get a plain Request: past the front door, it carries it). */
export function pathOf(request: Request): string {
  if (request instanceof GatewayRequest) return request.context.path;
  return URL.canParse(request.url) ? new URL(request.url).pathname : request.url;
}
