/**
 * xmpp.server against the rest of the xmpp section: a URL the link can dial, `tls` only where it
 * applies, and a warning when plain XEP-0114 (unencrypted TCP, XEP-0114 §3) leaves the machine:
 * the component secret's handshake is a SHA-1 anyone on the path can replay offline, and every
 * stanza is readable.
 */
import { isIP } from "node:net";
import type { Diagnostic, SourceLocator } from "./diagnostics.ts";

export interface XmppChecks {
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** Where a plain link stays on this machine: nothing on the network can read it. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost") || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}

export function checkXmppServer(raw: unknown, locate: SourceLocator, out: XmppChecks): void {
  if (raw === null || typeof raw !== "object") return;
  const { server, tls } = raw as { server?: unknown; tls?: unknown };
  if (typeof server !== "string" || !/^xmpps?:\/\//.test(server)) return; // the schema says so
  const at = ["xmpp", "server"];
  const url = parseServer(server);
  if (!url) {
    out.errors.push(locate.at(at, `expected xmpp://host:port or xmpps://host:port, found ${JSON.stringify(server)}`));
    return;
  }
  if (url.secure && !url.port)
    out.errors.push(
      locate.at(
        at,
        "an xmpps:// link needs a port: components have no standard TLS port (ejabberd: the port of the ejabberd_service listener with tls: true)",
      ),
    );
  if (!url.secure && tls !== undefined)
    out.errors.push(locate.at(["xmpp", "tls"], `xmpp.tls applies to xmpps:// links only; xmpp.server is ${server}`));
  if (!url.secure && !isLoopback(url.host)) {
    out.warnings.push({
      ...locate.at(
        at,
        `plain XEP-0114 to ${url.host} crosses the network unencrypted (the stanzas, and a handshake that can be attacked offline): use xmpps:// where the server offers TLS, or a TLS tunnel (docs/operations.md: "A link over an untrusted network")`,
      ),
      severity: "warning",
    });
  }
}

function parseServer(server: string): { secure: boolean; host: string; port: string } | undefined {
  try {
    const url = new URL(server);
    if (!url.hostname || (url.pathname !== "" && url.pathname !== "/")) return undefined;
    return { secure: url.protocol === "xmpps:", host: url.hostname, port: url.port };
  } catch {
    return undefined;
  }
}
