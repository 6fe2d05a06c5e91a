/**
 * Builds a gateway from a frozen config and injected dependencies. It never reads the
 * environment or exits the process (that is main.ts); `listen` and `stop` are the caller's.
 */
import type { Server } from "bun";
import type { Entity } from "xmpp-entity";
import type { Config } from "./config/load.ts";
import type { Logger } from "./log.ts";
import type { Authenticator } from "./engine/auth/types.ts";
import type { PasswordCheck } from "./engine/auth/xmpp.ts";
import type { PluginInstance } from "./plugin-api.ts";
import { GatewayError, errorResponse } from "./errors.ts";
import { createAuthenticator, type AuthDeps } from "./engine/auth/index.ts";
import { createThrottle } from "./engine/auth/throttle.ts";
import { declarativeHandler } from "./engine/declarative.ts";
import { createHttpApp, createRegistry } from "./engine/http.ts";
import { health } from "./health.ts";
import { setupPlugin, xmppPort } from "./plugin-host.ts";
import { openStore } from "./store/db.ts";
import { createOutbox } from "./store/outbox.ts";
import { createStoreHealth } from "./store/store-health.ts";
import { Delivery } from "./xmpp/delivery.ts";
import { createBarrier } from "./xmpp/barrier.ts";
import xml from "@xmpp/xml";
import { XmppLink } from "./xmpp/link.ts";
import { StanzaRouter } from "./xmpp/router.ts";

/** XEP-0199: the ping that confirms delivery (see xmpp/barrier.ts). */
const NS_PING = "urn:xmpp:ping";
/** How often the store is checked (file still there; writable again after a fault). */
const STORE_CHECK_MS = 1_000;

export interface GatewayDeps {
  log: Logger;
  fetch?: typeof fetch;
  /** Tests: a fake XMPP entity instead of a TCP connection. */
  createEntity?: (options: { service: string; domain: string }) => Entity;
  /** Tests: replaces the SASL login of `kind: xmpp` auth. */
  passwordCheck?: PasswordCheck;
}

export interface Gateway {
  readonly link: XmppLink;
  readonly delivery: Delivery;
  /** Handles one HTTP request in-process (tests, and the server's fetch). */
  handle(request: Request): Promise<Response>;
  /** Connects to XMPP and serves HTTP on config.http.listen; resolves with the bound port. */
  listen(): number;
  /** Stops accepting HTTP, finishes requests in flight, flushes the outbox, closes the stream. */
  stop(options?: { flushTimeoutMs?: number }): Promise<void>;
}

export async function createGateway(config: Config, deps: GatewayDeps): Promise<Gateway> {
  const { log } = deps;
  const store = openStore(config.store);
  const storeHealth = createStoreHealth(store, config.store, log.child({ part: "store" }));
  const link = new XmppLink({
    server: config.xmpp.server,
    component: config.xmpp.component,
    secret: config.xmpp.secret,
    host: config.xmpp.host,
    reconnect: config.xmpp.reconnect,
    iqTimeoutMs: config.xmpp.iq_timeout_ms,
    maxStanzaBytes: config.xmpp.max_stanza_bytes,
    log: log.child({ part: "xmpp" }),
    ...(deps.createEntity ? { createEntity: deps.createEntity } : {}),
  });
  const ping = () => link.request(xml("iq", { type: "get", from: config.xmpp.component, to: config.xmpp.host }, xml("ping", { xmlns: NS_PING })));
  const outbox = createOutbox(store, config.outbox.max_stanzas, storeHealth);
  const delivery = new Delivery(link, outbox, createBarrier(ping), log.child({ part: "outbox" }), { component: config.xmpp.component, maxStanzaBytes: config.xmpp.max_stanza_bytes });
  // Also picks up rows the `stanzagate outbox retry` CLI put back while the link was idle.
  const storeTimer = setInterval(() => {
    storeHealth.check();
    void delivery.drain();
  }, STORE_CHECK_MS);
  storeTimer.unref();
  const router = new StanzaRouter((el) => void link.send(el).catch(() => {}), log.child({ part: "router" }));
  link.onStanza((el) => void router.dispatch(el));
  link.on("online", () => void delivery.drain());

  const authenticators = buildAuthenticators(config, deps, { store, linkOnline: () => link.status === "online" });
  const registry = createRegistry();
  const xmpp = xmppPort(config, link, delivery, router);
  const plugins: PluginInstance[] = [];
  let ids = 0;
  const idPrefix = Math.random().toString(36).slice(2, 8);
  for (const route of config.routes) {
    const auth = route.auth ? authenticators.get(route.auth) : undefined;
    if (route.kind === "plugin") plugins.push(await setupPlugin(route, auth, { xmpp, registry, store, log, fetch: deps.fetch ?? fetch }));
    else
      registry.add(route.method, route.path, declarativeHandler(route, {
        auth,
        component: config.xmpp.component,
        maxBodyBytes: config.http.max_body_bytes,
        deliver: (el) => delivery.deliver(el),
        newId: () => `sg-${idPrefix}-${++ids}`,
      }));
  }

  const maxBodyBytes = config.http.max_body_bytes;
  const app = createHttpApp({ routes: registry.routes, health: () => health(link, delivery, storeHealth), cors: config.http.cors, maxBodyBytes, log: log.child({ part: "http" }) });
  let server: Server<unknown> | undefined;
  let inFlight = 0;
  let accepting = true;
  const serve = async (request: Request, ip: string): Promise<Response> => {
    if (!accepting) return errorResponse(new GatewayError("SHUTTING_DOWN"));
    inFlight++;
    try {
      return await app.handle(request, ip);
    } finally {
      inFlight--;
    }
  };

  return {
    link,
    delivery,
    handle: (request) => serve(request, "local"),
    listen() {
      link.start();
      const { hostname, port } = parseListen(config.http.listen);
      server = Bun.serve({
        hostname,
        port,
        maxRequestBodySize: bunBodyBackstop(maxBodyBytes),
        fetch: (req, srv) => serve(req, srv.requestIP(req)?.address ?? "unknown"),
        // Only reached if `serve` itself throws: still a JSON answer, and the stack in the log.
        error(err) {
          log.error("unhandled HTTP error", { err });
          return errorResponse(err);
        },
      });
      return server.port ?? port;
    },
    async stop({ flushTimeoutMs = 5_000 } = {}) {
      accepting = false;
      clearInterval(storeTimer);
      await server?.stop(false);
      await waitUntil(() => inFlight === 0, 10_000);
      for (const p of plugins) await p.stop?.();
      await Promise.race([delivery.drain(), Bun.sleep(flushTimeoutMs)]);
      await link.stop();
      store.close();
    },
  };
}

function buildAuthenticators(config: Config, deps: GatewayDeps, shared: Pick<AuthDeps, "store" | "linkOnline">): Map<string, Authenticator> {
  const throttle = createThrottle(config.auth_throttle.max_failures, config.auth_throttle.window_s);
  const log = deps.log.child({ part: "auth" });
  const common: AuthDeps = { host: config.xmpp.host, server: config.xmpp.server, throttle, log, ...shared, ...(deps.passwordCheck ? { passwordCheck: deps.passwordCheck } : {}) };
  return new Map(Object.entries(config.auth).map(([name, scheme]) => [name, createAuthenticator(name, scheme, common)]));
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

/** "127.0.0.1:5280", "[::1]:5280" or ":5280" (all interfaces). */
function parseListen(listen: string): { hostname: string; port: number } {
  const m = listen.match(/^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/);
  if (!m) throw new GatewayError("BAD_REQUEST", `http.listen must be host:port, not ${listen}`);
  return { hostname: m[1] ?? (m[2] || "0.0.0.0"), port: Number(m[3]) };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await Bun.sleep(10);
}
