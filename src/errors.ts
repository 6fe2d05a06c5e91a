/**
 * The one catalogue of errors Stanzagate reports over HTTP.
 *
 * Every error has a stable SCREAMING_SNAKE code, an HTTP status and a default sentence. The JSON
 * body is `{ "error": <sentence>, "code": <CODE>, ...details }`: `error` first because the
 * original Prosody modules answered `{ "error": "..." }`, so callers reading that key keep working.
 * Plugins that must reproduce an original body byte for byte pass `body` explicitly.
 */
export const ERRORS = {
  BAD_REQUEST: { status: 400, message: "Bad request" },
  INVALID_JSON: { status: 400, message: "Body is not valid JSON" },
  INVALID_BODY: { status: 400, message: "Body does not match what this route accepts" },
  INVALID_JID: { status: 400, message: "Not a valid JID" },
  INVALID_XML_TEXT: { status: 400, message: "Text contains characters that XML cannot carry" },
  INVALID_MARKUP: { status: 400, message: "Markup is not well-formed XML" },
  AUTH_REQUIRED: { status: 401, message: "Authentication required" },
  AUTH_FAILED: { status: 401, message: "Authentication failed" },
  FORBIDDEN: { status: 403, message: "Not allowed" },
  NOT_FOUND: { status: 404, message: "Not found" },
  BODY_TOO_LARGE: { status: 413, message: "Body too large" },
  // Refused before the stream or the store (see xmpp/stanza-guard.ts, store/outbox.ts).
  STANZA_TOO_LARGE: { status: 413, message: "The stanza is larger than the XMPP server accepts (xmpp.max_stanza_bytes)" },
  STORE_UNAVAILABLE: { status: 503, message: "The local store cannot be written; nothing can be queued until it recovers" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Unsupported Content-Type" },
  MISSING_RECIPIENT: { status: 422, message: "No recipient given" },
  RATE_LIMITED: { status: 429, message: "Too many failed attempts; retry later" },
  INTERNAL: { status: 500, message: "Internal error" },
  XMPP_ERROR: { status: 502, message: "The XMPP server answered with an error" },
  LINK_DOWN: { status: 503, message: "Not connected to the XMPP server" },
  OUTBOX_FULL: { status: 503, message: "Outbox is full; the XMPP server has been unreachable too long" },
  PRIVILEGE_MISSING: { status: 503, message: "The XMPP server did not grant a privilege this route needs" },
  AUTH_BUSY: { status: 503, message: "Too many password checks in progress; retry shortly" },
  AUTH_UNAVAILABLE: { status: 503, message: "The password cannot be checked with the XMPP server now; retry later" },
  SHUTTING_DOWN: { status: 503, message: "Stanzagate is shutting down" },
  XMPP_TIMEOUT: { status: 504, message: "The XMPP server did not answer in time" },
  // The HTTP layer (src/engine/front-door.ts, request-body.ts): what Stanzagate answers before or
  // around any route. RFC 9110 §15 for the statuses.
  INVALID_ENCODING: { status: 400, message: "Body is not valid text in its declared charset (UTF-8 unless Content-Type says otherwise)" },
  METHOD_NOT_ALLOWED: { status: 405, message: "This path does not accept this method" },
  METHOD_NOT_IMPLEMENTED: { status: 501, message: "No route of this gateway uses this method" },
  /** nginx's 499: the client hung up before the answer; it only ever reaches the debug log. */
  CLIENT_GONE: { status: 499, message: "The client closed the connection before the answer" },
  // Declarative templates (src/engine/template.ts): a payload that does not fit the template.
  MISSING_FIELD: { status: 400, message: "The payload lacks a field this route's template reads" },
  PAYLOAD_MISMATCH: { status: 422, message: "The payload does not fit this route's template" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error that knows how it is told to an HTTP caller. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message?: string,
    extra: { details?: Record<string, unknown>; headers?: Record<string, string>; status?: number } = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.name = "GatewayError";
    this.code = code;
    this.status = extra.status ?? ERRORS[code].status;
    this.details = extra.details ?? {};
    this.headers = extra.headers ?? {};
  }
}

/** The HTTP response for an error; unknown throwables become a 500 without leaking internals. */
export function errorResponse(err: unknown): Response {
  const e = err instanceof GatewayError ? err : new GatewayError("INTERNAL");
  return jsonResponse(e.status, { error: e.message, code: e.code, ...e.details }, e.headers);
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
