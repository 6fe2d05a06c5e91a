/**
 * The one catalogue of errors, in both directions:
 * - over HTTP (ERRORS): every error has a stable SCREAMING_SNAKE code, an HTTP status and a
 *   default sentence. The JSON body is `{ "error": <sentence>, "code": <CODE>, ...details }`:
 *   `error` first because the original Prosody modules answered `{ "error": "..." }`. Where an
 *   original module's exact body must stay, its plugin passes it (GatewayError `body`);
 * - over XMPP (STANZA_ERRORS): the stanza errors Stanzagate sends (RFC 6120 §8.3), including
 *   mod_component_http's table from a webhook's HTTP status (`stanzaErrorForStatus`);
 * - from XMPP to HTTP (`fromXmppFailure`): an iq error or timeout as the caller is told it.
 * Nothing else in the engine or the plugins makes up an error status, body or condition.
 *
 * The codes here are the shared ones. A code only one plugin answers lives in that plugin's
 * folder (`ownErrors`, and plain StanzaErrorSpecs for stanzas) and is declared in its definition
 * (PluginDefinition `errors`); `errorCatalogue` adds them to these at registration and refuses
 * a code declared twice.
 */
import type { Element } from "ltx";

const ERRORS = {
  BAD_REQUEST: { status: 400, message: "Bad request" },
  INVALID_JSON: { status: 400, message: "Body is not valid JSON" },
  INVALID_BODY: { status: 400, message: "Body does not match what this route accepts" },
  INVALID_JID: { status: 400, message: "Not a valid JID" },
  INVALID_XML_TEXT: { status: 400, message: "Text contains characters that XML cannot carry" },
  INVALID_MARKUP: { status: 400, message: "Markup is not well-formed XML" },
  // notify/send.ts: checked on the rendered message, after unsafe links and markup are dropped;
  // each sender format answers it as its own "no text" (Slack no_text, Discord 50006...).
  NO_TEXT: { status: 400, message: "The message has nothing to show: no text, title, field or link is left" },
  AUTH_REQUIRED: { status: 401, message: "Authentication required" },
  AUTH_FAILED: { status: 401, message: "Authentication failed" },
  FORBIDDEN: { status: 403, message: "Not allowed" },
  NOT_FOUND: { status: 404, message: "Not found" },
  BODY_TOO_LARGE: { status: 413, message: "Body too large" },
  // Refused before the stream or the store (see xmpp/stanza-guard.ts, store/outbox.ts).
  STANZA_TOO_LARGE: { status: 413, message: "The stanza is larger than the XMPP server accepts (xmpp.max_stanza_bytes)" },
  STORE_UNAVAILABLE: { status: 503, message: "The store cannot be used now; nothing can be queued until it recovers" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Unsupported Content-Type" },
  RATE_LIMITED: { status: 429, message: "Too many failed attempts; retry later" },
  INTERNAL: { status: 500, message: "Internal error" },
  XMPP_ERROR: { status: 502, message: "The XMPP server answered with an error" },
  LINK_DOWN: { status: 503, message: "Not connected to the XMPP server" },
  OUTBOX_FULL: { status: 503, message: "Outbox is full; the XMPP server has been unreachable too long" },
  PRIVILEGE_MISSING: { status: 503, message: "The XMPP server did not grant a privilege this route needs" },
  AUTH_BUSY: { status: 503, message: "Too many password checks in progress; retry shortly" },
  AUTH_UNAVAILABLE: { status: 503, message: "The password cannot be checked with the XMPP server now; retry later" },
  SHUTTING_DOWN: { status: 503, message: "Stanzagate is shutting down" },
  ROOMS_FULL: { status: 503, message: "The gateway is in as many rooms as xmpp.max_rooms allows" },
  ROOM_REFUSED: { status: 403, message: "The room refused the gateway or its message" },
  XMPP_TIMEOUT: { status: 504, message: "The XMPP server did not answer in time" },
  // The HTTP layer (src/http/front-door.ts, src/kit/request-body.ts): what Stanzagate answers before or
  // around any route. RFC 9110 §15 for the statuses.
  INVALID_ENCODING: { status: 400, message: "Body is not valid text in its declared charset (UTF-8 unless Content-Type says otherwise)" },
  METHOD_NOT_ALLOWED: { status: 405, message: "This path does not accept this method" },
  METHOD_NOT_IMPLEMENTED: { status: 501, message: "No route of this gateway uses this method" },
  /** nginx's 499: the client hung up before the answer; it only ever reaches the debug log. */
  CLIENT_GONE: { status: 499, message: "The client closed the connection before the answer" },
  // Declarative templates (src/templates/template.ts): a payload that does not fit the template.
  MISSING_FIELD: { status: 400, message: "The payload lacks a field this route's template reads" },
  PAYLOAD_MISMATCH: { status: 422, message: "The payload does not fit this route's template" },
  // Files and images (issue 21, src/files/): limits of the store, its upload service and remote fetches.
  ATTACHMENTS_OFF: { status: 400, message: "This gateway does not take files: set http.public_url to turn attachments on" },
  FILE_TOO_LARGE: { status: 413, message: "The file is larger than attachments.max_file_bytes" },
  FILES_QUOTA: { status: 507, message: "The file store is at attachments.quota_bytes; retry when older files expire" },
  FILES_RATE: { status: 429, message: "Too many files from this sender; retry later (attachments.rate)" },
  FILES_STORE_FULL: { status: 507, message: "The disk under the file store is full" },
  FILES_TOO_MANY: { status: 400, message: "More files than one notification carries (10, as Discord allows in a message)" },
  REMOTE_FAILED: { status: 502, message: "The remote URL could not be fetched" },
  REMOTE_REFUSED: { status: 400, message: "The remote URL points where the gateway does not fetch from" },
  UPLOAD_FAILED: { status: 502, message: "The XMPP server's upload service did not take the file" },
  // MQTT (issue 23, src/mqtt/): the broker connection is not online (the reason in details), or a
  // rendered topic would leave its level or hold a wildcard (MQTT 5 §4.7.1).
  MQTT_UNAVAILABLE: { status: 503, message: "Not connected to the MQTT broker" },
  MQTT_TOPIC_INVALID: { status: 400, message: "The MQTT topic is not one the gateway publishes to" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** How one HTTP error code is told: its status and default sentence. */
export interface HttpErrorSpec {
  readonly status: number;
  readonly message: string;
}

/** A code one plugin owns (`ownErrors`): GatewayError takes it as it takes a shared ErrorCode. */
export interface OwnedErrorCode extends HttpErrorSpec {
  readonly code: string;
}

/** Declares a plugin's own HTTP error codes, each with its status and sentence, under its name. */
export function ownErrors<const Codes extends Record<string, HttpErrorSpec>>(
  codes: Codes,
): { readonly [C in keyof Codes & string]: OwnedErrorCode & { code: C } } {
  const owned = Object.entries(codes).map(([code, spec]) => [code, { code, status: spec.status, message: spec.message }]);
  return Object.fromEntries(owned) as { readonly [C in keyof Codes & string]: OwnedErrorCode & { code: C } };
}

/** An error that knows how it is told to an HTTP caller. */
export class GatewayError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode | OwnedErrorCode,
    message?: string,
    extra: { details?: Record<string, unknown>; headers?: Record<string, string>; status?: number; body?: unknown } = {},
  ) {
    const spec = typeof code === "string" ? { code, ...ERRORS[code] } : code;
    super(message ?? spec.message);
    this.name = "GatewayError";
    this.#spec = spec;
    this.code = spec.code;
    this.status = extra.status ?? spec.status;
    this.details = extra.details ?? {};
    this.headers = extra.headers ?? {};
    this.body = extra.body;
  }

  readonly #spec: OwnedErrorCode;
  /** The code with its catalogue status and sentence: to throw it again, changed (`new GatewayError(err.spec, ...)`). */
  get spec(): OwnedErrorCode {
    return this.#spec;
  }

  /** An original module's exact body, kept by its plugin, instead of `{error, code, ...details}`. */
  readonly body: unknown;
}

/** The HTTP response for an error; unknown throwables become a 500 without leaking internals. */
export function errorResponse(err: unknown): Response {
  const e = err instanceof GatewayError ? err : new GatewayError("INTERNAL");
  return jsonResponse(e.status, e.body ?? { error: e.message, code: e.code, ...e.details }, e.headers);
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** urn:ietf:params:xml:ns:xmpp-stanzas, the namespace of defined conditions (RFC 6120 §8.3.3). */
export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
/** RFC 6120 §8.3.2. */
type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

/** A stanza error: type (§8.3.2), defined condition (§8.3.3) and optional text. */
export interface StanzaErrorSpec {
  type: StanzaErrorType;
  condition: string;
  text?: string;
}

const spec = (type: StanzaErrorType, condition: string, text?: string): StanzaErrorSpec =>
  text === undefined ? { type, condition } : { type, condition, text };

/** The stanza errors Stanzagate sends. */
export const STANZA_ERRORS = {
  /** No route took a stanza that waits for an answer (RFC 6120 §8.3.3.19; Prosody's router too). */
  NO_HANDLER: spec("cancel", "service-unavailable"),
  /** A handler failed on it (§8.3.3.6). */
  HANDLER_FAILED: spec("cancel", "internal-server-error"),
  // bots: a sender not in the bot's allow: list (§8.3.3.5).
  BOT_FORBIDDEN: spec("auth", "forbidden", "You are not allowed to use this bot"),
  // bots: the one notice to a sender past rate_limit in a window (§8.3.3.12; bot.ts gives the text).
  BOT_SLOW_DOWN: spec("wait", "policy-violation"),
  // bots, XEP-0050 §4.6: an ad-hoc command node the bot does not have.
  ADHOC_NO_COMMAND: spec("cancel", "item-not-found", "No such command"),
  // XEP-0050 §4.6: bad-sessionid, malformed-action, bad-action and bad-payload are bad-request
  // with a specific condition in the commands namespace (adhoc.ts adds it and the text).
  ADHOC_BAD_REQUEST: spec("modify", "bad-request"),
} as const satisfies Record<string, StanzaErrorSpec>;

/** mod_component_http's http_error_map, status for status, text for text. */
const BY_HTTP_STATUS: ReadonlyMap<number, StanzaErrorSpec> = new Map([
  [400, spec("modify", "bad-request")],
  [401, spec("auth", "not-authorized")],
  [402, spec("auth", "forbidden", "Payment required")],
  [403, spec("auth", "forbidden")],
  [404, spec("cancel", "item-not-found")],
  [410, spec("cancel", "gone")],
  [500, spec("cancel", "internal-server-error")],
  [501, spec("cancel", "feature-not-implemented")],
  [502, spec("cancel", "remote-server-timeout", "Bad gateway")],
  [503, spec("wait", "remote-server-timeout", "Service temporarily unavailable")],
  [504, spec("wait", "remote-server-timeout", "Gateway timeout")],
]);

/** HTTP -> XMPP: a webhook's failed status as a stanza error; any other status (3xx too: redirects are not followed) is service-unavailable. */
export function stanzaErrorForStatus(status: number): StanzaErrorSpec {
  return BY_HTTP_STATUS.get(status) ?? spec("cancel", "service-unavailable");
}

/** An iq error answer, as a JS error (see XmppPort.request). */
export class XmppStanzaError extends Error {
  constructor(
    readonly condition: string,
    readonly type: string,
    readonly text: string | undefined,
    readonly stanza: Element,
  ) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = "XmppStanzaError";
  }

  static from(stanza: Element): XmppStanzaError {
    const error = stanza.getChild("error");
    const condition =
      error?.getChildElements().find((c) => c.attrs.xmlns === NS_STANZAS && c.name !== "text")?.name ?? "undefined-condition";
    const text = error?.getChildText("text", NS_STANZAS) ?? undefined;
    return new XmppStanzaError(condition, error?.attrs.type ?? "cancel", text, stanza);
  }
}

/** No answer to an iq in time (RFC 6120 §8.2.3 says one must come; the link may have dropped it). */
export class IqTimeoutError extends Error {
  constructor(readonly to: string | undefined) {
    super(`no answer from ${to ?? "the server"} in time`);
    this.name = "IqTimeoutError";
  }
}

/**
 * XMPP -> HTTP: the status an HTTP caller gets when an iq it caused is answered with an error
 * (RFC 6120 §8.3.3 defines the conditions). The gateway stands between the two, so a fault of
 * the remote side is 502 and its unavailability 503/504, as an HTTP proxy answers (RFC 9110
 * §15.6). `not-authorized` is 403, not 401: the XMPP side refused the gateway, and a 401 would
 * ask the HTTP caller for credentials it cannot give. Unlisted conditions are 502.
 */
export const HTTP_STATUS_OF_STANZA_ERROR: Readonly<Record<string, number>> = {
  "bad-request": 400,
  "jid-malformed": 400,
  "unexpected-request": 400,
  "payment-required": 402,
  forbidden: 403,
  "not-authorized": 403,
  "not-allowed": 403,
  "policy-violation": 403,
  "registration-required": 403,
  "subscription-required": 403,
  "item-not-found": 404,
  "not-acceptable": 406,
  conflict: 409,
  gone: 410,
  "feature-not-implemented": 501,
  "internal-server-error": 502,
  "remote-server-not-found": 502,
  redirect: 502,
  "undefined-condition": 502,
  "service-unavailable": 503,
  "recipient-unavailable": 503,
  "resource-constraint": 503,
  "remote-server-timeout": 504,
};

export function httpStatusOfStanzaError(condition: string): number {
  return HTTP_STATUS_OF_STANZA_ERROR[condition] ?? 502;
}

/**
 * XMPP -> HTTP: how a failed XMPP call is told to an HTTP caller. An error answer is 502
 * XMPP_ERROR with its condition, no answer 504 XMPP_TIMEOUT, a lost link 503 LINK_DOWN; anything
 * else is not an XMPP failure (undefined).
 */
export function fromXmppFailure(err: unknown, what?: string): GatewayError | undefined {
  if (err instanceof GatewayError) return err.code === "LINK_DOWN" ? err : undefined;
  if (err instanceof XmppStanzaError) {
    const message = what === undefined ? undefined : `XMPP server refused the ${what}: ${err.message}`;
    return new GatewayError("XMPP_ERROR", message, { details: { condition: err.condition } });
  }
  if (err instanceof IqTimeoutError) {
    const message = what === undefined ? undefined : `XMPP server did not answer the ${what} in time`;
    return new GatewayError("XMPP_TIMEOUT", message, { details: { waiting_for: err.to } });
  }
  return undefined;
}

/** What a plugin declares of its own errors (PluginDefinition `errors`). */
export interface OwnErrors {
  /** Its HTTP codes, from `ownErrors`. */
  http?: Readonly<Record<string, OwnedErrorCode>>;
  /** The stanza errors it sends, by name. */
  stanza?: Readonly<Record<string, StanzaErrorSpec>>;
}

/** Every code the gateway answers, by name: the shared ones and each registered plugin's and feature's. */
export interface ErrorCatalogue {
  http: ReadonlyMap<string, HttpErrorSpec>;
  stanza: ReadonlyMap<string, StanzaErrorSpec>;
}

/**
 * The shared codes plus each plugin's and feature's, added as they register (src/features/index.ts).
 * A code declared twice throws: one name, one status and sentence, wherever it is answered.
 */
export function errorCatalogue(owners: Iterable<{ name: string; errors?: OwnErrors | undefined }>): ErrorCatalogue {
  const http = new Map<string, HttpErrorSpec>(Object.entries(ERRORS));
  const stanza = new Map<string, StanzaErrorSpec>(Object.entries(STANZA_ERRORS));
  for (const { name, errors } of owners) {
    addOwn(http, name, Object.entries(errors?.http ?? {}));
    addOwn(stanza, name, Object.entries(errors?.stanza ?? {}));
  }
  return { http, stanza };
}

function addOwn<Spec>(catalogue: Map<string, Spec>, owner: string, codes: Array<[string, Spec]>): void {
  for (const [code, spec] of codes) {
    if (catalogue.has(code)) throw new Error(`${owner} declares the error code ${code}, which the catalogue already has`);
    catalogue.set(code, spec);
  }
}
