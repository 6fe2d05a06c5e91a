/**
 * Direct TLS for the component link: `xmpps://host:port`. XEP-0114 itself is plain TCP; a server
 * may wrap its component port in TLS from the first byte (ejabberd: `ejabberd_service` with
 * `tls: true`), as XEP-0368 does for clients. The socket is @xmpp/tls's, the one xmpp.js clients
 * use for xmpps://; this file decides what it trusts and which name it checks.
 *
 * The certificate is always verified (RFC 6125 name check by node:tls): against the system store,
 * or only the CAs of `xmpp.tls.ca_file`; the name is the host of xmpp.server unless
 * `xmpp.tls.server_name` says which one the certificate carries.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { Component } from "@xmpp/component-core";
import TlsSocket from "@xmpp/tls/lib/Socket.js";

/** xmpp.tls, as routes.yaml writes it. */
export interface LinkTls {
  ca_file?: string;
  server_name?: string;
}

/** What the link (link.ts) drives of an xmpp.js component: tests hand in a fake implementing exactly this. */
export type ComponentEntity = Pick<Component, "connect" | "open" | "authenticate" | "write" | "disconnect" | "stop" | "on">;

type EntityOptions = { service: string; domain: string };

/** How long to wait for the server's stream header and handshake answer. */
const STREAM_TIMEOUT_MS = 10_000;

/** The production entity: plain TCP for xmpp://, verified TLS for xmpps://. */
export function componentFactory(tls: LinkTls | undefined): (options: EntityOptions) => ComponentEntity {
  return (options) => {
    const entity = new Component(options);
    // xmpp.js waits 2 s for the stream header and the handshake answer; a server starting up on
    // a loaded machine can take longer, and a stalled attempt costs a whole reconnect cycle.
    entity.timeout = STREAM_TIMEOUT_MS;
    if (!options.service.startsWith("xmpps:")) return entity;
    entity.Socket = VerifyingSocket;
    entity.socketParameters = (service) => tlsParameters(service, tls ?? {});
    return entity;
  };
}

/** What node:tls gets for one connection attempt; the CA file is read each time (renewals). */
export function tlsParameters(service: string, tls: LinkTls): ConnectionOptions {
  const url = new URL(service);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // RFC 6066 §3: SNI carries DNS names only, never an address.
  const servername = tls.server_name ?? (isIP(host) ? undefined : host);
  return {
    host,
    port: Number(url.port),
    rejectUnauthorized: true,
    ...(servername ? { servername } : {}),
    ...(tls.ca_file ? { ca: readCa(tls.ca_file) } : {}),
  };
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read xmpp.tls.ca_file ${file}: ${(err as Error).message}`);
  }
}

/** @xmpp/tls's socket, with TLS failures said in words an operator can act on (/health last_error). */
class VerifyingSocket extends TlsSocket {
  override emit(event: string, ...args: unknown[]): boolean {
    if (event === "error" && args[0] instanceof Error) return super.emit(event, explain(args[0]));
    return super.emit(event, ...args);
  }
}

function explain(err: Error & { code?: string }): Error {
  const code = err.code ?? "";
  const detail = `${err.message}${code ? ` (${code})` : ""}`;
  let message: string | undefined;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID")
    message = `TLS: the server's certificate is not for the name checked: ${detail}; set xmpp.tls.server_name to a name the certificate carries`;
  else if (/CERT|SIGN|ISSUER/.test(code))
    message = `TLS: the server's certificate is not trusted: ${detail}; check xmpp.tls.ca_file (or the system CA store)`;
  else if (code.startsWith("ERR_SSL") || /SSL|TLS/.test(err.message))
    message = `TLS handshake failed: ${detail}; is the port of xmpp.server a TLS listener?`;
  if (!message) return err;
  return Object.assign(new Error(message), { code });
}
