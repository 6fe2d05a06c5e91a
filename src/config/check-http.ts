/**
 * The http section beyond its schema: a listen address `serve` can bind, trusted proxies that are
 * addresses or CIDR ranges, and TLS files that can be read, parse, and belong together. A bad one
 * would otherwise only fail at `serve` (or, for a proxy entry, silently trust nobody).
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { parseProxyRange } from "../http/client-address.ts";
import type { Diagnostic, SourceLocator } from "./diagnostics.ts";
import { certificateBlocks, readPemFile } from "../http/pem-file.ts";

export interface HttpChecks {
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function checkHttp(raw: unknown, locate: SourceLocator, out: HttpChecks, now: () => number = Date.now): void {
  if (raw === null || typeof raw !== "object") return; // absent (the defaults) or the schema says so
  const { listen, trusted_proxies: proxies, tls } = raw as { listen?: unknown; trusted_proxies?: unknown; tls?: unknown };
  if (typeof listen === "string") checkListen(listen, locate, out.errors);
  if (Array.isArray(proxies)) {
    proxies.forEach((entry, i) => {
      const range = typeof entry === "string" ? parseProxyRange(entry) : undefined;
      if (typeof range === "string") out.errors.push(locate.at(["http", "trusted_proxies", i], range));
    });
  }
  if (tls !== null && typeof tls === "object") checkTlsFiles(tls as { cert_file?: unknown; key_file?: unknown }, locate, out, now);
}

/**
 * `http.listen`: host:port, [IPv6]:port, or :port for every interface. The port is 1-65535, or 0
 * for any free port (the one chosen is logged at start-up).
 */
const LISTEN = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/;
const MAX_PORT = 65_535;

function checkListen(listen: string, locate: SourceLocator, out: Diagnostic[]): void {
  const at = ["http", "listen"];
  const m = LISTEN.exec(listen);
  if (!m) {
    out.push(locate.at(at, `expected host:port ([::1]:port for IPv6, :port for every interface), found ${JSON.stringify(listen)}`));
    return;
  }
  const port = Number(m[3]);
  if (port > MAX_PORT) out.push(locate.at(at, `port ${port} is out of range: 1-${MAX_PORT}, or 0 for any free port`));
}

/** Read as the server will read them (relative paths from the working directory). */
function checkTlsFiles(tls: { cert_file?: unknown; key_file?: unknown }, locate: SourceLocator, out: HttpChecks, now: () => number): void {
  const certAt = ["http", "tls", "cert_file"];
  const keyAt = ["http", "tls", "key_file"];
  const cert = typeof tls.cert_file === "string" ? parsePem(tls.cert_file, "a PEM certificate", leafOfChain) : undefined;
  const key = typeof tls.key_file === "string" ? parsePem(tls.key_file, "a PEM private key", (pem) => createPrivateKey(pem)) : undefined;
  if (typeof cert === "string") out.errors.push(locate.at(certAt, cert));
  if (typeof key === "string") out.errors.push(locate.at(keyAt, key));
  if (typeof cert !== "object") return;
  if (typeof key === "object" && !cert.checkPrivateKey(key)) {
    out.errors.push(locate.at(keyAt, `${String(tls.key_file)} is not the private key of the certificate in ${String(tls.cert_file)}`));
  }
  if (cert.validToDate.getTime() < now()) {
    out.warnings.push({
      ...locate.at(
        certAt,
        `the certificate in ${String(tls.cert_file)} expired on ${cert.validToDate.toISOString()}: clients will refuse it`,
      ),
      severity: "warning",
    });
  }
}

/**
 * The server's certificate, once every certificate of the chain parses: a broken intermediate
 * would otherwise pass `check` and stop the listener at start.
 */
function leafOfChain(pem: string): X509Certificate {
  const chain = certificateBlocks(pem).map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw i === 0 ? err : new ChainError(`certificate ${i + 1} of the chain: ${opensslReason(err)}`);
    }
  });
  return chain[0] as X509Certificate;
}

/** The parsed file, or a sentence saying why it cannot be used. */
function parsePem<T>(file: string, what: string, parse: (pem: string) => T): T | string {
  let pem: string;
  try {
    pem = readPemFile(file);
  } catch (err) {
    return `cannot read ${file}: ${(err as Error).message}`;
  }
  try {
    return parse(pem);
  } catch (err) {
    const reason = err instanceof ChainError ? err.message : opensslReason(err);
    return `${file} is not ${what}${reason ? ` (${reason})` : ""}`;
  }
}

/** A certificate after the first that does not parse: its message names which one. */
class ChainError extends Error {}

/** OpenSSL's "error:0900006e:PEM routines:OPENSSL_internal:NO_START_LINE": the reason is last. */
function opensslReason(err: unknown): string {
  return ((err as Error).message.split(":").pop() ?? "").toLowerCase().replace(/_/g, " ");
}
