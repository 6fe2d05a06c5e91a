/**
 * Credentials where ntfy's senders put them (server/server.go `readAuthHeader` and
 * `authenticateBasicAuth` of binwiederhier/ntfy v2.13), turned into the Authorization header the
 * route's auth scheme reads:
 * - `?auth=` (or `?authorization=`) is the whole header value, base64url-encoded without padding
 *   (`base64url("Bearer tk_...")`); it wins over a header, as in ntfy;
 * - Basic with an empty user name carries a token as its password (`curl -u :tk_...`): a Bearer token.
 */
import { GatewayRequest } from "../../http/request-context.ts";
import { NTFY, ntfyError } from "./errors.ts";

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export function withNtfyAuthorization(request: Request): Request {
  const query = new URL(request.url).searchParams;
  const encoded = query.get("auth") || query.get("authorization");
  const given = request.headers.get("authorization");
  const value = tokenOfEmptyUser(encoded ? decodeParam(encoded) : given);
  if (value === given || value === null) return request;
  const headers = new Headers(request.headers);
  headers.set("authorization", value);
  const init = { method: request.method, headers, body: request.body, signal: request.signal, duplex: "half" } as RequestInit;
  // The request carries its context (client address, route, identity for the log) past the front door.
  return request instanceof GatewayRequest ? new GatewayRequest(request.url, init, request.context) : new Request(request.url, init);
}

function decodeParam(encoded: string): string {
  const value = BASE64URL.test(encoded) ? Buffer.from(encoded, "base64url").toString("utf8").trim() : "";
  if (!/^(basic|bearer) /i.test(value))
    throw ntfyError(NTFY.unauthorized, "the auth parameter is not a base64url-encoded Authorization header");
  return value;
}

function tokenOfEmptyUser(value: string | null): string | null {
  const basic = value?.match(/^basic\s+(\S+)$/i)?.[1];
  if (!basic) return value;
  const decoded = Buffer.from(basic, "base64").toString("utf8");
  return decoded.startsWith(":") && decoded.length > 1 ? `Bearer ${decoded.slice(1)}` : value;
}
