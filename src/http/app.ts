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
import { enter, hideSecret, noteHangUp, refuseEarly, routeMatcher, type Door, type Refuse } from "./front-door.ts";
import { GatewayRequest, clientOf, pathOf } from "./request-context.ts";

export interface Registered {
  method: string;
  path: string;
  handler: HttpHandler;
  /** No CORS headers (the probes). */
  bare?: boolean;
  /** Logged at debug when it succeeds (request-log.ts). */
  probe?: boolean;
  /** The path is a credential: logs and metrics see it hidden (front-door.ts routeMatcher). */
  secret?: boolean;
  /** The sender's shape of a refusal the front door makes for this route (front-door.ts `Refuse`). */
  refuse?: Refuse;
}

/** Everything one generation serves (`all`); `routes` leaves out the bare probes, which no API description lists. */
export function createRegistry(): CoreRegistrar & { readonly all: Registered[] } {
  const all: Registered[] = [];
  return {
    all,
    get routes() {
      return all.filter((r) => !r.bare);
    },
    add: (method, path, handler, options) => void all.push({ method: method.toUpperCase(), path, handler, ...options }),
  };
}

export interface HttpAppOptions {
  routes: readonly Registered[];
  cors: boolean;
  /** http.max_body_bytes: larger bodies are refused with a JSON 413 (see front-door.ts). */
  maxBodyBytes: number;
  log: Logger;
}

export interface HttpApp {
  /** Answers a request past the front door (front-door.ts `enter`), which carries its client address. */
  handle(request: GatewayRequest): Promise<Response>;
  /** Answers a bare request from `client` (in-process callers): it goes through the front door here. */
  handle(request: Request, client: string): Promise<Response>;
}

export function createHttpApp({ routes, cors: corsEnabled, maxBodyBytes, log }: HttpAppOptions): HttpApp {
  const methodsByPath = new Map<string, string[]>();
  for (const r of routes) methodsByPath.set(r.path, [...(methodsByPath.get(r.path) ?? []), r.method]);
  const secrets = new Set(routes.filter((r) => r.secret).map((r) => r.path));
  const app = new Elysia().onError(({ code, error, request }) => {
    if (code === "NOT_FOUND") return errorResponse(new GatewayError("NOT_FOUND", undefined, { details: { path: pathOf(request) } }));
    const err = error instanceof Error ? error : new Error(String(error));
    log.error("unhandled HTTP error", { err, method: request.method, path: pathOf(request) });
    return errorResponse(new GatewayError("INTERNAL"));
  });
  const cors = createCors(corsEnabled);
  for (const r of routes) {
    const methods = methodsByPath.get(r.path) ?? [];
    app.route(r.method, r.path, async ({ request, params }) => {
      const response = await r.handler({ request, params: (params ?? {}) as Record<string, string>, ip: clientOf(request) });
      return r.bare ? response : withHeaders(response, cors.headers(request, methods));
    });
  }
  for (const [path, methods] of methodsByPath) {
    if (!methods.includes("OPTIONS"))
      app.options(path, ({ request }) => new Response(null, { status: 200, headers: cors.headers(request, methods) }));
    // A secret path (a webhook URL) is named with its last segment hidden, as in the request log.
    const named = secrets.has(path) ? hideSecret(path) : undefined;
    app.all(path, ({ request }) => methodNotAllowed(request, methods, named));
  }
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
    async handle(arrived: Request, client?: string) {
      const request = arrived instanceof GatewayRequest ? arrived : enter(arrived, client ?? "unknown", bareDoor());
      const response = refuseEarly(request, front) ?? (await app.handle(request));
      noteHangUp(request, response, log);
      return response;
    },
  };
}

/** RFC 9110 §15.5.6: a 405 MUST carry Allow, the methods the path does accept; in the shape of the path's route. */
function methodNotAllowed(request: Request, methods: readonly string[], named = pathOf(request)): Response {
  const allow = allowed(methods);
  const err = new GatewayError("METHOD_NOT_ALLOWED", `${named} does not accept ${request.method}`, {
    details: { method: request.method, allow },
    headers: { allow: allow.join(", ") },
  });
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
