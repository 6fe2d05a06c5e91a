/**
 * ntfy's errors, as ntfy answers them: `{"code":40007,"http":400,"error":"invalid priority
 * parameter","link":"https://ntfy.sh/docs/publish/#message-priority"}` (server/errors.go of
 * binwiederhier/ntfy v2.13, whose codes and sentences these are). Senders log `code` and `error`
 * (Apprise does), so every answer of this route, the gateway's own refusals included, has this shape.
 */
import { GatewayError, errorResponse, ownErrors, type ErrorCode, type OwnedErrorCode } from "../../plugin-api/errors.ts";

interface NtfyErrorSpec {
  code: number;
  http: number;
  error: string;
  link?: string;
}

const DOCS = "https://ntfy.sh/docs";

/** ntfy's own, by the name its source gives them (errHTTP...). */
export const NTFY = {
  badRequest: { code: 40000, http: 400, error: "invalid request" },
  emailDisabled: { code: 40001, http: 400, error: "e-mail notifications are not enabled", link: `${DOCS}/config/#e-mail-notifications` },
  priorityInvalid: { code: 40007, http: 400, error: "invalid priority parameter", link: `${DOCS}/publish/#message-priority` },
  sinceInvalid: { code: 40008, http: 400, error: "invalid since parameter", link: `${DOCS}/subscribe/api/#fetch-cached-messages` },
  topicInvalid: { code: 40009, http: 400, error: "invalid request: topic invalid" },
  topicDisallowed: { code: 40010, http: 400, error: "invalid request: topic name is not allowed" },
  messageNotUtf8: { code: 40011, http: 400, error: "invalid request: message must be UTF-8 encoded" },
  attachmentUrlInvalid: {
    code: 40013,
    http: 400,
    error: "invalid request: attachment URL is invalid",
    link: `${DOCS}/publish/#attachments`,
  },
  attachmentsDisallowed: { code: 40014, http: 400, error: "invalid request: attachments not allowed", link: `${DOCS}/config/#attachments` },
  messageJsonInvalid: {
    code: 40017,
    http: 400,
    error: "invalid request: request body must be message JSON",
    link: `${DOCS}/publish/#publish-as-json`,
  },
  webSocketUpgradeMissing: {
    code: 40016,
    http: 400,
    error: "invalid request: client not using the websocket protocol",
    link: `${DOCS}/subscribe/api/#websockets`,
  },
  actionsInvalid: { code: 40018, http: 400, error: "invalid request: actions invalid", link: `${DOCS}/publish/#action-buttons` },
  iconUrlInvalid: { code: 40021, http: 400, error: "invalid request: icon URL is invalid", link: `${DOCS}/publish/#icons` },
  jsonInvalid: { code: 40024, http: 400, error: "invalid request: request body must be valid JSON" },
  callsDisabled: { code: 40032, http: 400, error: "invalid request: calling is disabled", link: `${DOCS}/config/#phone-calls` },
  unauthorized: { code: 40101, http: 401, error: "unauthorized", link: `${DOCS}/publish/#authentication` },
  forbidden: { code: 40301, http: 403, error: "forbidden", link: `${DOCS}/publish/#authentication` },
  notFound: { code: 40401, http: 404, error: "page not found" },
  attachmentTooLarge: {
    code: 41301,
    http: 413,
    error: "invalid request: attachment too large, or bandwidth limit reached",
    link: `${DOCS}/publish/#limitations`,
  },
  jsonTooLarge: { code: 41303, http: 413, error: "JSON body too large" },
  tooManySubscriptions: {
    code: 42903,
    http: 429,
    error: "limit reached: too many active subscriptions",
    link: `${DOCS}/publish/#limitations`,
  },
  authFailures: { code: 42909, http: 429, error: "limit reached: too many auth failures", link: `${DOCS}/publish/#limitations` },
  internal: { code: 50001, http: 500, error: "internal server error" },
} as const satisfies Record<string, NtfyErrorSpec>;

/** The catalogue's entry of every refusal this route makes itself (src/plugin-api/errors.ts `ownErrors`). */
export const NTFY_ERRORS = ownErrors({
  NTFY_REFUSED: { status: 400, message: "Refused as ntfy refuses it" },
});

/**
 * A refusal in ntfy's words; `detail` is appended as ntfy's wrapErrHTTP does (`error, detail`).
 * `as`: the catalogue's code when it has one for the case (ATTACHMENTS_OFF), for logs and metrics.
 */
export function ntfyError(spec: NtfyErrorSpec, detail?: string, as: ErrorCode | OwnedErrorCode = NTFY_ERRORS.NTFY_REFUSED): GatewayError {
  const error = detail ? `${spec.error}, ${detail}` : spec.error;
  return new GatewayError(as, error, { status: spec.http, body: ntfyBody(spec, error) });
}

function ntfyBody(spec: NtfyErrorSpec, error: string): Record<string, unknown> {
  return { code: spec.code, http: spec.http, error, ...(spec.link ? { link: spec.link } : {}) };
}

/** The gateway's own refusals (auth, body size, outbox, link) in ntfy's shape; its code where ntfy has one. */
const BY_GATEWAY_CODE: Readonly<Record<string, NtfyErrorSpec>> = {
  AUTH_REQUIRED: NTFY.unauthorized,
  AUTH_FAILED: NTFY.unauthorized,
  FORBIDDEN: NTFY.forbidden,
  RATE_LIMITED: NTFY.authFailures,
  INVALID_ENCODING: NTFY.messageNotUtf8,
  INVALID_JSON: NTFY.jsonInvalid,
  FILE_TOO_LARGE: NTFY.attachmentTooLarge,
};

/** Any GatewayError as ntfy would say it; one already in ntfy's shape passes unchanged. */
export function asNtfy(err: GatewayError): GatewayError {
  // Made by ntfyError (in ntfy's shape already, whatever its catalogue code).
  if (err.code === NTFY_ERRORS.NTFY_REFUSED.code || err.body !== undefined) return err;
  const spec = BY_GATEWAY_CODE[err.code];
  // ntfy has no code for a method, a stanza's size, an outbox or a link: its status and sentence
  // stay, and the code is the status's generic one, as ntfy's own 40000 is 400's (code = http × 100 + n).
  const body = ntfyBody(spec ?? { code: err.status * 100, http: err.status, error: err.message }, spec?.error ?? err.message);
  return new GatewayError(err.spec, err.message, { status: err.status, headers: err.headers, body });
}

/** A refusal the front door makes, in ntfy's shape; a body too large is `tooLarge` when ntfy has its own words for it. */
export function ntfyRefusal(tooLarge?: NtfyErrorSpec): (err: GatewayError) => Response {
  return (err) => errorResponse(tooLarge && err.code === "BODY_TOO_LARGE" ? ntfyError(tooLarge) : asNtfy(err));
}
