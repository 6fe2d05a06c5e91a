// A Stanzagate gateway running in this test process against a test Prosody: routes.yaml text in,
// a listening gateway out, with its log lines captured for assertions.
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { createGateway, type Gateway } from "../../src/app.ts";
import { formatDiagnostics } from "../../src/config/diagnostics.ts";
import { loadConfig, type Config } from "../../src/features/index.ts";
import { createLogger } from "../../src/log.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { type Detail, waitFor } from "../../testbed/timeouts.ts";

const ONLINE_TIMEOUT_MS = 10_000;

export interface TestGateway {
  gateway: Gateway;
  config: Config;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Parsed JSON log lines so far. */
  logs: Array<Record<string, unknown>>;
  post(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** The part of routes.yaml after xmpp/http/store: auth and routes. */
  routes: string;
  /** Default ":memory:". */
  store?: string;
  /** Wait for the XEP-0356 advertisement too (default: when Prosody grants privileges). */
  waitForPrivileges?: boolean;
  /** Don't wait for the link (outbox tests start with the server down). */
  waitOnline?: boolean;
  env?: Record<string, string>;
  /** More `xmpp:` keys, one "key: value" line each (e.g. "max_rooms: 2"). */
  xmpp?: string[];
  /** More `http:` keys, the same way (e.g. "max_body_bytes: 4096"). */
  http?: string[];
}

/** The xmpp/http/store head of a routes.yaml for this Prosody. */
export function configHead(prosody: XmppServer, store = ":memory:", xmpp: string[] = [], http: string[] = []): string {
  return [
    "xmpp:",
    ...xmpp.map((line) => `  ${line}`),
    `  server: xmpp://127.0.0.1:${prosody.componentPort}`,
    `  component: ${prosody.componentDomain}`,
    `  secret: "${prosody.componentSecret}"`,
    `  host: ${prosody.host}`,
    "  reconnect: { initial_ms: 50, max_ms: 500 }",
    "http:",
    // A test that names its port (a public_url must say it) gives its own listen: line.
    ...(http.some((line) => line.startsWith("listen:")) ? [] : ["  listen: 127.0.0.1:0"]),
    ...http.map((line) => `  ${line}`),
    `store: "${store}"`,
    "",
  ].join("\n");
}

export function loadTestConfig(text: string, env: Record<string, string> = {}): Config {
  const result = loadConfig(text, env, BUILTIN_PLUGINS);
  if (!result.ok) throw new Error(`test config is invalid:\n${formatDiagnostics("test.yaml", result.diagnostics)}`);
  return result.config;
}

/** What `stanzagate check` prints for a routes.yaml, errors only (warnings left out), as `routes.yaml:L:C  error  path  message` lines; "" when it passes. */
export function checkErrors(text: string): string {
  const result = loadConfig(text, {}, BUILTIN_PLUGINS);
  return result.ok
    ? ""
    : formatDiagnostics(
        "routes.yaml",
        result.diagnostics.filter((d) => d.severity === undefined),
      );
}

export async function startGateway(prosody: XmppServer, opts: GatewayOptions): Promise<TestGateway> {
  const config = loadTestConfig(configHead(prosody, opts.store, opts.xmpp, opts.http) + opts.routes, opts.env);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: "debug", write: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const gateway = await createGateway(config, { log });
  const port = gateway.listen();
  const url = `http://127.0.0.1:${port}`;
  if (opts.waitOnline !== false)
    await waitFor(() => gateway.link.status === "online", ONLINE_TIMEOUT_MS, "the gateway to come online", logTail(logs));
  const wantPrivileges = opts.waitForPrivileges ?? false;
  if (wantPrivileges)
    await waitFor(
      () => gateway.link.privileges().message !== "none" || gateway.link.privileges().roster !== "none",
      ONLINE_TIMEOUT_MS,
      "the XEP-0356 advertisement",
      logTail(logs),
    );
  let stopped = false;
  return {
    gateway,
    config,
    url,
    logs,
    post: (path, init = {}) => fetch(url + path, { method: "POST", ...init }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await gateway.stop({ flushTimeoutMs: 1_000 });
    },
  };
}

/** The last log lines of an in-process gateway, for a `waitFor` that runs out. */
export function logTail(logs: unknown[]): Detail {
  return () =>
    `last log lines:\n${logs
      .slice(-10)
      .map((l) => JSON.stringify(l))
      .join("\n")}`;
}
