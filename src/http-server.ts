/**
 * The listening socket: Bun.serve on http.listen, the client address of each request, and a
 * rebind for reloads (the new address is bound before the old one closes).
 */
import type { Server } from "bun";
import { errorResponse } from "./errors.ts";
import { routable } from "./engine/front-door.ts";
import type { Logger } from "./log.ts";

export interface HttpServer {
  /** Binds `listen`; returns the port bound (the one picked for port 0). */
  bind(listen: string, maxBodyBytes: number): number;
  /** Binds the new address, then closes the old one, letting its requests finish; throws if the new one cannot be bound. */
  rebind(listen: string, maxBodyBytes: number): void;
  /** The client's address (Bun.serve knows it); "local" for requests handled in-process. */
  ipOf(request: Request): string;
  /** The request with a URL everything after it can parse, keeping its client address. */
  prepare(request: Request): Request;
  stop(): Promise<void>;
}

export function createHttpServer(handle: (request: Request) => Promise<Response>, log: Logger): HttpServer {
  const clientIps = new WeakMap<Request, string>();
  let server: Server<unknown> | undefined;
  const bind = (listen: string, maxBodyBytes: number) => {
    const { hostname, port } = parseListen(listen);
    return Bun.serve({
      hostname,
      port,
      maxRequestBodySize: bunBodyBackstop(maxBodyBytes),
      fetch(req, srv) {
        clientIps.set(req, srv.requestIP(req)?.address ?? "unknown");
        return handle(req);
      },
      // Only reached if `handle` itself throws: still a JSON answer, and the stack in the log.
      error(err) {
        log.error("unhandled HTTP error", { err });
        return errorResponse(err);
      },
    });
  };
  return {
    bind(listen, maxBodyBytes) {
      server = bind(listen, maxBodyBytes);
      return server.port ?? parseListen(listen).port;
    },
    rebind(listen, maxBodyBytes) {
      const rebound = bind(listen, maxBodyBytes);
      void server?.stop(false);
      server = rebound;
    },
    ipOf: (request) => clientIps.get(request) ?? "local",
    prepare(request) {
      // Everything after this point (request log, metrics, Elysia) parses the URL: give it one it can.
      const routed = routable(request);
      if (routed !== request) clientIps.set(routed, clientIps.get(request) ?? "local");
      return routed;
    },
    stop: async () => void (await server?.stop(false)),
  };
}

/**
 * "127.0.0.1:5280", "[::1]:5280" or ":5280" (all interfaces). The form was checked when the
 * config loaded, so the last colon always separates host and port.
 */
function parseListen(listen: string): { hostname: string; port: number } {
  const colon = listen.lastIndexOf(":");
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { hostname: host || "0.0.0.0", port: Number(listen.slice(colon + 1)) };
}

/**
 * Bun's own body limit, kept as a backstop well above http.max_body_bytes: below it the gateway
 * answers a JSON 413 itself (front-door.ts); past it Bun answers a bare 413 before any JS runs.
 */
const BUN_BACKSTOP_FACTOR = 4;
const BUN_BACKSTOP_MIN_MARGIN = 1_048_576;

function bunBodyBackstop(maxBodyBytes: number): number {
  return Math.max(maxBodyBytes * BUN_BACKSTOP_FACTOR, maxBodyBytes + BUN_BACKSTOP_MIN_MARGIN);
}
