/**
 * One log line and one metric sample per HTTP request, taken around the whole app so that every
 * answer is seen (routes, health, /metrics, 404s). The line carries the route's path pattern, the
 * path without its query string (where callers may put tokens) and with its secrets hidden
 * (route-labels.ts: webhook URLs, `:token` segments), the status, the duration, the
 * client address, who authenticated, and bytes in and out; a 4xx/5xx line also carries the `code`
 * and `error` sentence of its JSON body, so it says why. Header values are never logged.
 * Probes (health checks and metric scrapes, every few seconds) that succeed are logged at debug,
 * so that they do not bury the requests; a failing one (a 503 /health, a 401 scrape) at info.
 */
import { isStreaming } from "./upgrade.ts";
import { errorResponse } from "../plugin-api/errors.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { GatewayRequest } from "./request-context.ts";

export interface ObserveDeps {
  log: Logger;
  metrics: Metrics;
  /** Path patterns of the probe endpoints (/healthz, /health, /readyz, the metrics path). */
  probes: ReadonlySet<string>;
  /** Told +1 when a request comes in and -1 once it is answered (the generation's count in flight). */
  flight?: (delta: 1 | -1) => void;
}

/** Methods kept as metric labels; any other is counted as OTHER (labels stay bounded). */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Longest `error` text kept from a body that is not the gateway's JSON. */
const MAX_REASON = 200;

/** Everything the line says comes from the request's context (request-context.ts), or from the answer. */
export function observeRequests(
  handle: (request: GatewayRequest) => Promise<Response>,
  deps: ObserveDeps,
): (request: GatewayRequest) => Promise<Response> {
  return async function observedRequest(request) {
    let response: Response;
    deps.metrics.inFlight(1);
    deps.flight?.(1);
    try {
      response = await handle(request);
    } catch (err) {
      deps.log.error("unhandled HTTP error", { err });
      response = errorResponse(err);
    } finally {
      deps.metrics.inFlight(-1);
      deps.flight?.(-1);
    }
    const { route, path, client, identity, started } = request.context;
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.http(route, METHODS.has(request.method) ? request.method : "OTHER", response.status, seconds);
    const level = deps.probes.has(route) && response.status < 400 ? "debug" : "info";
    // The body is read (from a clone) only for a line that is written: at log.level warn, not at all.
    if (!deps.log.enabled(level)) return response;
    // A subscription's stream ends when its client goes: cloning it would buffer all of it.
    const body = isStreaming(response) ? new Uint8Array() : new Uint8Array(await response.clone().arrayBuffer());
    deps.log[level]("http request", {
      route,
      method: request.method,
      path,
      status: response.status,
      duration_ms: Math.round(seconds * 100_000) / 100,
      client,
      ...(identity !== undefined ? { identity } : {}),
      bytes_in: Number(request.headers.get("content-length") ?? 0),
      bytes_out: body.byteLength,
      ...(response.status >= 400 ? reason(body) : {}),
    });
    return response;
  };
}

/** The `code` and `error` of an error body (errors.ts shape), or the start of its text. */
function reason(body: Uint8Array): { code?: unknown; error: unknown } {
  const text = new TextDecoder().decode(body);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "error" in parsed) {
      const { error, code } = parsed as { error: unknown; code?: unknown };
      return code === undefined ? { error } : { code, error };
    }
    // /health's 503 body: its status says why ("degraded").
    if (parsed && typeof parsed === "object" && "status" in parsed)
      return { error: `status ${String((parsed as { status: unknown }).status)}` };
  } catch {
    // Not JSON: the text itself says why.
  }
  return { error: text.slice(0, MAX_REASON) || "(empty body)" };
}
