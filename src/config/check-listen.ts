/**
 * `http.listen`: host:port, [IPv6]:port, or :port for every interface. The port is 1-65535, or 0
 * for any free port (the one chosen is logged at start-up); a bad one would only fail at `serve`.
 */
import type { Diagnostic, SourceLocator } from "./diagnostics.ts";

const LISTEN = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/;
const MAX_PORT = 65_535;

export function checkListen(http: unknown, locate: SourceLocator, out: Diagnostic[]): void {
  const listen = (http as { listen?: unknown } | null | undefined)?.listen;
  if (typeof listen !== "string") return; // absent (the default) or not a string (the schema says so)
  const at = ["http", "listen"];
  const m = LISTEN.exec(listen);
  if (!m) {
    out.push(locate.at(at, `expected host:port ([::1]:port for IPv6, :port for every interface), found ${JSON.stringify(listen)}`));
    return;
  }
  const port = Number(m[3]);
  if (port > MAX_PORT) out.push(locate.at(at, `port ${port} is out of range: 1-${MAX_PORT}, or 0 for any free port`));
}
