/**
 * The HTTP side: an Elysia app serving every registered handler (routes, plugins, probes).
 * Handlers are plain `(req) => Response` functions (see plugin-api/index.ts), so plugins never depend
 * on Elysia and tests can call them with a bare Request.
 */
import { Elysia } from "elysia";
import { GatewayError, errorResponse } from "../plugin-api/errors.ts";
import type { HttpHandler } from "../plugin-api/index.ts";
import type { CoreRegistrar } from "../feature-api.ts";
import type { Logger } from "../log.ts";
import { createCors, withHeaders } from "./cors.ts";
import { claimedPaths, type ClaimedPaths, type UnknownResponder } from "./claimed-paths.ts";
import { directRoutes, type DirectRoute, type Respond } from "./direct-routes.ts";
import { enter, noteHangUp, refuseEarly, type Door, type Refuse } from "./front-door.ts";
import { GatewayRequest, clientOf, pathOf } from "./request-context.ts";
import { routeMatcher } from "./route-labels.ts";

export interface Registered {
  method: string;
  path: string;
  handler: HttpHandler;
  /** No CORS headers (the probes). */
  bare?: boolean;
  /** Logged at debug when it succeeds (request-log.ts). */
  probe?: boolean;
  /**
   * The path is a credential: logs, metrics and messages see it hidden (route-labels.ts), and it
   * answers no CORS headers. Set by the generation for every path a route of a `secretPath` kind
   * registers: the kind's one flag, never a registration's.
   */
  secret?: boolean;
  /**
   * Its parameters are a catch-all's (RouteKind.catchAll, ntfy's `/:topic`): a path below another
   * route's fixed segments is answered as that route's unknown path instead (claimed-paths.ts).
   */
  catchAll?: boolean;
  /** The sender's shape of a refusal the front door makes for this route (front-door.ts `Refuse`). */
  refuse?: Refuse;
  /** Bodies this large are let in instead of http.max_body_bytes: a route that takes files. */
  maxBodyBytes?: number;
  /** Parameters that are credentials (RouteOptions.secretParams): hidden as a `:token` is (route-labels.ts). */
  secretParams?: readonly string[];
}

/** Everything one generation serves (`all`); `routes` leaves out the bare probes, which no API description lists. */
export function createRegistry(): CoreRegistrar & { readonly all: Registered[]; readonly unknowns: UnknownResponder[] } {
  const all: Registered[] = [];
  const unknowns: UnknownResponder[] = [];
  // Asked while serving, once every route is registered: made at the first ask, as the app's are.
  let claims: { of: number; paths: ClaimedPaths } | undefined;
  return {
    all,
    unknowns,
    get routes() {
      return all.filter((r) => !r.bare);
    },
    add: (method, path, handler, options) => void all.push({ method: method.toUpperCase(), path, handler, ...options }),
    unknown: (prefix, handler) => void unknowns.push({ prefix, handler }),
    claims(path, pattern) {
      if (claims?.of !== all.length) claims = { of: all.length, paths: claimedPaths(all.map((r) => r.path)) };
      return claims.paths.claims(path, pattern);
    },
  };
}

export interface HttpAppOptions {
  routes: readonly Registered[];
  cors: boolean;
  /** http.max_body_bytes: larger bodies are refused with a JSON 413 (see front-door.ts). */
  maxBodyBytes: number;
  log: Logger;
  /** The formats' answers for unknown paths below their prefixes (claimed-paths.ts). */
  unknowns?: readonly UnknownResponder[];
}

export interface HttpApp {
  /** Answers a request past the front door (front-door.ts `enter`), which carries its client address. */
  handle(request: GatewayRequest): Promise<Response>;
  /** Answers a bare request from `client` (in-process callers): it goes through the front door here. */
  handle(request: Request, client: string): Promise<Response>;
}

export function createHttpApp({ routes, cors: corsEnabled, maxBodyBytes, log, unknowns = [] }: HttpAppOptions): HttpApp {
  const methodsByPath = new Map<string, string[]>();
  for (const r of routes) methodsByPath.set(r.path, [...(methodsByPath.get(r.path) ?? []), r.method]);
  const secrets = new Set(routes.filter((r) => r.secret).map((r) => r.path));
  const catchAlls = new Set(routes.filter((r) => r.catchAll).map((r) => r.path));
  const notFound = ({ request }: { request: Request }) =>
    errorResponse(new GatewayError("NOT_FOUND", undefined, { details: { path: pathOf(request) } }));
  const claims = claimedPaths([...methodsByPath.keys()], unknowns, notFound);
  const unhandled = (error: unknown, request: Request) => {
    const err = error instanceof Error ? error : new Error(String(error));
    log.error("unhandled HTTP error", { err, method: request.method, path: pathOf(request) });
    return errorResponse(new GatewayError("INTERNAL"));
  };
  // Elysia tells an error by its `code` (its own NotFoundError's, or any error's `code` field):
  // a GatewayError("NOT_FOUND") escaping a handler is the path's 404 on either path, not a 500.
  const answerError = (code: unknown, error: unknown, request: Request) =>
    code === "NOT_FOUND" ? (claimed(claims, undefined, request) ?? notFound({ request })) : unhandled(error, request);
  const app = new Elysia().onError(({ code, error, request }) => answerError(code, error, request));
  const answerDirectly = (respond: Respond, request: Request, params: Record<string, string>) =>
    respond(request, params).then(
      // A handler is typed to answer a Response; Elysia would have made one of anything else.
      (res: unknown) => (res instanceof Response ? res : unhandled(new Error("the route's handler answered no Response"), request)),
      (error: unknown) => answerError((error as { code?: unknown } | null | undefined)?.code, error, request),
    );
  const cors = createCors(corsEnabled);
  const direct: DirectRoute[] = [];
  for (const r of routes) {
    const methods = methodsByPath.get(r.path) ?? [];
    const open = catchAlls.has(r.path) && claims.open(r.path);
    // A secret path answers no CORS headers: no sender of a webhook is a browser, and a page must not read it.
    const plain = r.bare || r.secret;
    // No async frame of its own: a secret or bare route's answer is the handler's promise, and
    // another's gets its CORS headers in one `then` (fewer promise jobs per request).
    const respond = (request: Request, params: Record<string, string> | undefined): Promise<Response> => {
      const response = open ? claimedOrHandled(claims, r, request, params) : handled(r, request, params);
      return plain ? response : response.then((res) => withHeaders(res, cors.headers(request, methods)));
    };
    // Elysia awaits a handler whose source reads `=> call(` (its isAsync test), minified or not.
    app.route(r.method, r.path, ({ request, params }) => respond(request, params as Record<string, string> | undefined));
    direct.push({ method: r.method, path: r.path, respond });
  }
  const fast = directRoutes(direct);
  for (const [path, methods] of methodsByPath) {
    const headers = (request: Request) => (secrets.has(path) ? {} : cors.headers(request, methods));
    if (!methods.includes("OPTIONS")) app.options(path, ({ request }) => new Response(null, { status: 200, headers: headers(request) }));
    const open = catchAlls.has(path) && claims.open(path);
    app.all(path, ({ request }) => (open ? claimed(claims, path, request) : undefined) ?? methodNotAllowed(request, methods));
  }
  // Elysia builds its router at the first request: a path it cannot hold would fail every request
  // from then on. Built now, such a generation fails to start (or to reload) and says why.
  app.compile();
  const front = { implemented: implementedMethods(routes), maxBodyBytes, log };
  // Bare requests are let in here, their client being the peer given: no proxy to trust. Only
  // in-process callers send them, so their door (its route matcher) is built at the first one.
  let door: Door | undefined;
  const bareDoor = (): Door =>
    (door ??= {
      maxBodyBytes,
      clientAddress: (peer) => peer,
      routeOf: routeMatcher(routes),
    });
  return {
    // Not an async function: the answer's promise is Elysia's own, with the hang-up note chained.
    handle(arrived: Request, client?: string) {
      const request = arrived instanceof GatewayRequest ? arrived : enter(arrived, client ?? "unknown", bareDoor());
      const early = refuseEarly(request, front);
      const note = (response: Response) => {
        noteHangUp(request, response, log);
        return response;
      };
      if (early) return Promise.resolve(note(early));
      const route = fast.find(request);
      const answer = route ? answerDirectly(route.respond, request, route.params) : app.handle(request);
      return answer.then(note);
    },
  };
}

/** The route's answer, or the refusal of an undecodable path; a handler's throw is a rejection, as from an async function. */
function handled(r: Registered, request: Request, params: Record<string, string> | undefined): Promise<Response> {
  try {
    return Promise.resolve(undecodable(request, params) ?? r.handler({ request, params: params ?? {}, ip: clientOf(request) }));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** A catch-all route's answer: the claimed paths' first (a path below another's prefix), else its own. */
async function claimedOrHandled(claims: ClaimedPaths, r: Registered, request: Request, params: Record<string, string> | undefined) {
  return (await claimed(claims, r.path, request)) ?? handled(r, request, params);
}

/** A claimed path's answer (claimed-paths.ts), when a route took it only through a parameter or none took it. */
function claimed(claims: ClaimedPaths, pattern: string | undefined, request: Request) {
  const path = URL.parse(request.url)?.pathname ?? "/";
  return claims.answer(path, pattern, { request, params: {}, ip: clientOf(request) });
}

/**
 * RFC 9110 §15.5.6: a 405 MUST carry Allow, the methods the path does accept; in the shape of the
 * path's route. Its sentence names the path as the log does: secrets hidden.
 */
function methodNotAllowed(request: Request, methods: readonly string[]): Response {
  const allow = allowed(methods);
  const err = new GatewayError("METHOD_NOT_ALLOWED", `${pathOf(request)} does not accept ${request.method}`, {
    details: { method: request.method, allow },
    headers: { allow: allow.join(", ") },
  });
  return inRouteShape(err, request);
}

/**
 * A `%` escape that is not UTF-8 (`/%zz`) comes out of the router as a null parameter: refused in
 * the route's shape, never handed on as a topic named "null" or an empty name.
 */
function undecodable(request: Request, params: Record<string, unknown> | undefined): Response | undefined {
  // An optional parameter left out is undefined, and no mistake. `for...in`: this runs for every
  // routed request, and `Object.entries` made an array of pairs each time.
  for (const name in params) {
    if (params[name] === null)
      return inRouteShape(new GatewayError("BAD_REQUEST", `path segment :${name} is not valid percent-encoded UTF-8`), request);
  }
  return undefined;
}

function inRouteShape(err: GatewayError, request: Request): Response {
  const refuse = request instanceof GatewayRequest ? request.context.refuse : undefined;
  return refuse ? refuse(err, request) : errorResponse(err);
}

/** HEAD is answered wherever GET is (RFC 9110 §9.3.2); OPTIONS on every routed path (cors.ts). */
function allowed(methods: readonly string[]): string[] {
  return [...new Set([...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"])];
}

function implementedMethods(routes: readonly Registered[]): ReadonlySet<string> {
  return new Set(["GET", "HEAD", "OPTIONS", ...routes.map((r) => r.method)]);
}
