/**
 * The HTTP side: an Elysia app serving every registered handler plus the health endpoints.
 * Handlers are plain `(req) => Response` functions (see plugin-api.ts), so plugins never depend
 * on Elysia and tests can call them with a bare Request.
 */
import { Elysia } from "elysia";
import { jsonResponse } from "../errors.ts";
import type { HttpHandler, HttpRegistrar } from "../plugin-api.ts";
import type { Logger } from "../log.ts";
import { createCors, withHeaders } from "./cors.ts";

export interface Registered {
  method: string;
  path: string;
  handler: HttpHandler;
}

export function createRegistry(): HttpRegistrar & { readonly routes: Registered[] } {
  const routes: Registered[] = [];
  return { routes, add: (method, path, handler) => void routes.push({ method: method.toUpperCase(), path, handler }) };
}

export interface HealthReport {
  ready: boolean;
  body: Record<string, unknown>;
}

/** `ipOf` tells the client address of a request (Bun.serve knows it; in-process tests do not). */
export interface HttpAppOptions {
  routes: readonly Registered[];
  health: () => HealthReport;
  ipOf: (request: Request) => string;
  cors: boolean;
  log: Logger;
}

export function createHttpApp({ routes, health, ipOf, cors: corsEnabled, log }: HttpAppOptions) {
  const app = new Elysia()
    .onError(({ code, error, request }) => {
      if (code === "NOT_FOUND") return jsonResponse(404, { error: "Not found", code: "NOT_FOUND", path: new URL(request.url).pathname });
      log.error("unhandled HTTP error", { err: error instanceof Error ? error : String(error), path: new URL(request.url).pathname });
      return jsonResponse(500, { error: "Internal error", code: "INTERNAL" });
    })
    .get("/healthz", () => jsonResponse(200, { status: "alive" }))
    .get("/health", () => healthResponse(health()))
    .get("/readyz", () => healthResponse(health()));
  const cors = createCors(corsEnabled);
  const methodsByPath = new Map<string, string[]>();
  for (const r of routes) methodsByPath.set(r.path, [...(methodsByPath.get(r.path) ?? []), r.method]);
  for (const r of routes) {
    const methods = methodsByPath.get(r.path) ?? [];
    app.route(r.method, r.path, async ({ request, params }) =>
      withHeaders(await r.handler({ request, params: (params ?? {}) as Record<string, string>, ip: ipOf(request) }), cors.headers(request, methods)),
    );
  }
  for (const [path, methods] of methodsByPath) {
    if (!methods.includes("OPTIONS")) app.options(path, ({ request }) => new Response(null, { status: 200, headers: cors.headers(request, methods) }));
  }
  return app;
}

function healthResponse(report: HealthReport): Response {
  return jsonResponse(report.ready ? 200 : 503, report.body);
}
