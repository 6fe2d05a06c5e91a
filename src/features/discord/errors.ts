/**
 * Discord's error answers: `{"message": "...", "code": N}` with Discord's own JSON error codes
 * (discord-api-docs, topics/opcodes-and-status-codes "JSON Error Codes"), and for a form that does
 * not validate (50035) the `errors` tree Discord nests by field path, each leaf an `_errors` list:
 *
 *   {"code": 50035, "errors": {"embeds": {"0": {"title": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", ...}]}}}}, "message": "Invalid Form Body"}
 *
 * Grafana logs `code` and `message` from this shape. Every answer of a discord route that is not
 * a success passes through `discordFailure`, so a sender never sees the gateway's own shape.
 */
import { GatewayError, errorResponse, jsonResponse, ownErrors } from "../../plugin-api/errors.ts";

export const DISCORD_ERRORS = ownErrors({
  DISCORD_INVALID_FORM_BODY: { status: 400, message: "Invalid Form Body" },
  DISCORD_INVALID_JSON: { status: 400, message: "The request body contains invalid JSON." },
  DISCORD_UNKNOWN_MESSAGE: { status: 404, message: "Unknown Message" },
  DISCORD_UNKNOWN_WEBHOOK: { status: 404, message: "Unknown Webhook" },
});

/** Discord's JSON error codes for the answers a webhook route gives. */
const CODE = {
  GENERAL: 0,
  UNKNOWN_MESSAGE: 10008,
  UNKNOWN_WEBHOOK: 10015,
  TOO_LARGE: 40005,
  EMPTY_MESSAGE: 50006,
  MISSING_PERMISSIONS: 50013,
  INVALID_FORM_BODY: 50035,
  INVALID_JSON: 50109,
} as const;

/** One problem with one field: Discord's code (`BASE_TYPE_MAX_LENGTH`) and sentence. */
export interface FieldProblem {
  path: ReadonlyArray<string | number>;
  code: string;
  message: string;
}

/** Discord's nested `errors` object: `{content: {_errors: [...]}}`; an empty path is the body itself. */
function errorTree(problems: readonly FieldProblem[]): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const { path, code, message } of problems) {
    let node = tree;
    for (const key of path) node = (node[String(key)] ??= {}) as Record<string, unknown>;
    ((node._errors ??= []) as unknown[]).push({ code, message });
  }
  return tree;
}

export function invalidFormBody(problems: readonly FieldProblem[]): GatewayError {
  return new GatewayError(DISCORD_ERRORS.DISCORD_INVALID_FORM_BODY, undefined, {
    body: { code: CODE.INVALID_FORM_BODY, errors: errorTree(problems), message: "Invalid Form Body" },
  });
}

export const unknownMessage = (): GatewayError =>
  new GatewayError(DISCORD_ERRORS.DISCORD_UNKNOWN_MESSAGE, undefined, { body: { message: "Unknown Message", code: CODE.UNKNOWN_MESSAGE } });

export const unknownWebhook = (): GatewayError =>
  new GatewayError(DISCORD_ERRORS.DISCORD_UNKNOWN_WEBHOOK, undefined, { body: { message: "Unknown Webhook", code: CODE.UNKNOWN_WEBHOOK } });

export const invalidJson = (): GatewayError =>
  new GatewayError(DISCORD_ERRORS.DISCORD_INVALID_JSON, undefined, {
    body: { message: "The request body contains invalid JSON.", code: CODE.INVALID_JSON },
  });

/** The gateway's shared codes as Discord words them; unlisted ones keep their status with code 0. */
const SHARED: Readonly<Record<string, { code: number; message: string }>> = {
  AUTH_REQUIRED: { code: CODE.GENERAL, message: "401: Unauthorized" },
  AUTH_FAILED: { code: CODE.GENERAL, message: "401: Unauthorized" },
  FORBIDDEN: { code: CODE.MISSING_PERMISSIONS, message: "Missing Permissions" },
  BODY_TOO_LARGE: { code: CODE.TOO_LARGE, message: "Request entity too large" },
  // Discord answers an upload past its limit so (413 with 40005), whatever the file.
  FILE_TOO_LARGE: { code: CODE.TOO_LARGE, message: "Request entity too large" },
  STANZA_TOO_LARGE: { code: CODE.TOO_LARGE, message: "Request entity too large" },
  INVALID_JSON: { code: CODE.INVALID_JSON, message: "The request body contains invalid JSON." },
  INVALID_ENCODING: { code: CODE.INVALID_FORM_BODY, message: "Invalid Form Body" },
  // Nothing a client would show (notify/send.ts): also a lone embed whose only link is unsafe.
  NO_TEXT: { code: CODE.EMPTY_MESSAGE, message: "Cannot send an empty message" },
};

/**
 * The answer to a failed request, in Discord's shape. A 429 carries Discord's `retry_after` and
 * `global`; a 5xx (the outbox full, the store unwritable) stays a 5xx, which Alertmanager and
 * Grafana retry, with the gateway's sentence as `message`. Anything that is not a GatewayError is
 * a fault, rethrown so the HTTP layer logs its stack.
 */
export function discordFailure(err: unknown): Response {
  if (!(err instanceof GatewayError)) throw err;
  if (err.body !== undefined) return errorResponse(err);
  if (err.code === "FILES_TOO_MANY")
    return errorResponse(
      invalidFormBody([{ path: ["files"], code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${err.details.max_files} or fewer in length.` }]),
    );
  if (err.status === 429) {
    const retryAfter = Number(err.headers["retry-after"] ?? 1);
    return jsonResponse(429, { message: "You are being rate limited.", retry_after: retryAfter, global: false }, err.headers);
  }
  const known = SHARED[err.code] ?? { code: CODE.GENERAL, message: err.message };
  return jsonResponse(err.status, { message: known.message, code: known.code }, err.headers);
}
