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
import { GatewayError } from "./errors.ts";
import { createAuthenticator, type AuthDeps } from "./engine/auth/index.ts";
import { createThrottle } from "./engine/auth/throttle.ts";
import { declarativeHandler } from "./engine/declarative.ts";
import { createHttpApp, createRegistry } from "./engine/http.ts";
import { health } from "./health.ts";
import { setupPlugin, xmppPort } from "./plugin-host.ts";
import { openStore } from "./store/db.ts";
import { createOutbox } from "./store/outbox.ts";
import { Delivery } from "./xmpp/delivery.ts";
import { createBarrier } from "./xmpp/barrier.ts";
import xml from "@xmpp/xml";
import { XmppLink } from "./xmpp/link.ts";
import { StanzaRouter } from "./xmpp/router.ts";

/** XEP-0199: the ping that confirms delivery (see xmpp/barrier.ts). */
const NS_PING = "urn:xmpp:ping";

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
  const link = new XmppLink({
    server: config.xmpp.server,
    component: config.xmpp.component,
    secret: config.xmpp.secret,
    host: config.xmpp.host,
    reconnect: config.xmpp.reconnect,
    iqTimeoutMs: config.xmpp.iq_timeout_ms,
    log: log.child({ part: "xmpp" }),
    ...(deps.createEntity ? { createEntity: deps.createEntity } : {}),
  });
  const ping = () => link.request(xml("iq", { type: "get", from: config.xmpp.component, to: config.xmpp.host }, xml("ping", { xmlns: NS_PING })));
  const outbox = createOutbox(store, config.outbox.max_stanzas);
  const delivery = new Delivery(link, outbox, createBarrier(ping), log.child({ part: "outbox" }), config.xmpp.component);
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

  const clientIps = new WeakMap<Request, string>();
  const ipOf = (request: Request) => clientIps.get(request) ?? "local";
  const app = createHttpApp({ routes: registry.routes, health: () => health(link, delivery), ipOf, cors: config.http.cors, log: log.child({ part: "http" }) });
  let server: Server<unknown> | undefined;
  let inFlight = 0;
  let accepting = true;
  const handle = async (request: Request): Promise<Response> => {
    if (!accepting) return new Response(JSON.stringify({ error: "Stanzagate is shutting down", code: "SHUTTING_DOWN" }), { status: 503, headers: { "content-type": "application/json" } });
    inFlight++;
    try {
      return await app.handle(request);
    } finally {
      inFlight--;
    }
  };

  return {
    link,
    delivery,
    handle,
    listen() {
      link.start();
      const { hostname, port } = parseListen(config.http.listen);
      server = Bun.serve({
        hostname,
        port,
        maxRequestBodySize: config.http.max_body_bytes,
        fetch(req, srv) {
          clientIps.set(req, srv.requestIP(req)?.address ?? "unknown");
          return handle(req);
        },
      });
      return server.port ?? port;
    },
    async stop({ flushTimeoutMs = 5_000 } = {}) {
      accepting = false;
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
