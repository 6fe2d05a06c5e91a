/**
 * The listening socket: Bun.serve on http.listen (HTTPS with http.tls), the TCP peer of each
 * request, and a rebind for reloads. The request and its peer go on to the front door
 * (front-door.ts), where its context and client address are made.
 */
import type { Server } from "bun";
import { errorResponse } from "../plugin-api/errors.ts";
import type { Logger } from "../log.ts";
import { readPemFile } from "./pem-file.ts";
import { rememberServer, WEBSOCKETS, type SocketHandlers } from "./upgrade.ts";

/** The parts of the http section the socket itself depends on. */
interface ListenSettings {
  listen: string;
  max_body_bytes: number;
  tls?: { cert_file: string; key_file: string } | undefined;
}

/** What a rebind did: nothing, a new socket, or the same address with a new certificate. */
export type Rebound = "unchanged" | "rebound" | "certificate_reloaded";

export interface HttpServer {
  /** Binds `listen`; returns the port bound (the one picked for port 0). */
  bind(settings: ListenSettings): number;
  /**
   * Applies new settings, reading the TLS files again (a renewed certificate at the same path).
   * Throws, the old socket still serving, when the new one cannot be bound.
   */
  rebind(settings: ListenSettings): Rebound;
  stop(): Promise<void>;
}

interface Pem {
  cert: string;
  key: string;
}

interface Bound {
  settings: ListenSettings;
  tls: Pem | undefined;
  server: Server<SocketHandlers>;
}

/**
 * Bun's idle timeout, in seconds, set here so that the auth wait budget can be derived from it:
 * a request that sends and receives nothing this long is closed with no answer. Kept at Bun's
 * default 10 s rather than raised for requests being authenticated: the argon2id queue now waits
 * at most half of it (features/auth/basic/password-verifier.ts: 5 s, then one check of
 * ~160-240 ms on a slow 2-core machine, then 503 AUTH_BUSY), so 120-200 subscribers reconnecting
 * at once all get an answer; a higher value would only let stalled or slow-loris clients hold
 * connections longer. Streams lift it per request once answered (upgrade.ts holdOpen).
 */
export const IDLE_TIMEOUT_S = 10;

/** How long a stop waits for the requests in flight before it closes the connections left (and for MQTT messages being handled, app.ts). */
export const STOP_GRACE_MS = 5_000;

/** `handle` answers each request, given its TCP peer's address (Bun.serve knows it). */
export function createHttpServer(handle: (request: Request, peer: string) => Promise<Response>, log: Logger): HttpServer {
  let bound: Bound | undefined;
  const serve = (settings: ListenSettings, tls: Pem | undefined, listen = settings.listen): Bound => {
    const { hostname, port } = parseListen(listen);
    const server = Bun.serve({
      hostname,
      port,
      idleTimeout: IDLE_TIMEOUT_S,
      maxRequestBodySize: bunBodyBackstop(settings.max_body_bytes),
      ...(tls ? { tls } : {}),
      fetch: (req, srv) => {
        rememberServer(req, srv);
        return handle(req, srv.requestIP(req)?.address ?? "unknown");
      },
      // ntfy's /<topic>/ws subscriptions (http/upgrade.ts).
      websocket: WEBSOCKETS,
      // Only reached if `handle` itself throws: still a JSON answer, and the stack in the log.
      error(err) {
        log.error("unhandled HTTP error", { err });
        return errorResponse(err);
      },
    });
    return { settings, tls, server };
  };
  return {
    bind(settings) {
      bound = serve(settings, readTls(settings));
      return bound.server.port ?? parseListen(settings.listen).port;
    },
    rebind(settings) {
      const old = bound;
      if (!old) return "unchanged"; // not listening (in-process): listen() binds what it is given
      const tls = readTls(settings);
      const renewed = old.tls?.cert !== tls?.cert || old.tls?.key !== tls?.key;
      if (settings.listen !== old.settings.listen) {
        // A new address is bound before the old one closes: no moment without a listener.
        bound = serve(settings, tls);
        void old.server.stop(false);
        return "rebound";
      }
      if (!renewed && settings.max_body_bytes === old.settings.max_body_bytes) return "unchanged";
      // Bun 1.4 cannot change a listener's TLS (server.reload takes handlers only) and one port
      // takes one socket: the old listener closes (its connections finish their requests) and the
      // new one binds in the same tick, on the port bound (the one picked for port 0). If that
      // fails, the old settings are bound again.
      const listen = `${parseListen(old.settings.listen).hostname}:${old.server.port}`;
      void old.server.stop(false);
      try {
        bound = serve(settings, tls, listen);
      } catch (err) {
        bound = serve(old.settings, old.tls, listen);
        throw err;
      }
      return renewed ? "certificate_reloaded" : "rebound";
    },
    async stop() {
      const server = bound?.server;
      if (!server) return;
      // Requests in flight finish; a connection whose client stopped reading would hold the stop forever.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceEnds = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), STOP_GRACE_MS)));
      const stopped = await Promise.race([server.stop(false).then(() => "stopped" as const), graceEnds]);
      clearTimeout(timer);
      if (stopped === "late") await server.stop(true);
    },
  };
}

function readTls(settings: ListenSettings): Pem | undefined {
  const { tls } = settings;
  return tls ? { cert: readPemFile(tls.cert_file), key: readPemFile(tls.key_file) } : undefined;
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
