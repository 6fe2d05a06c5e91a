/**
 * What the sender is told, in its vendor's shape. Success is `200 ok` in text/plain, byte for
 * byte: Grafana and Alertmanager ≥ 0.26 compare the body with `ok` (a trailing newline fails), and
 * apprise's mmost:// needs status 200 exactly. Errors are Slack's plain-text strings
 * (api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks), or Mattermost's
 * AppError JSON (model.AppError: id, message, detailed_error, request_id, status_code). Never `ok`
 * with an error: Grafana reads the body even of a 4xx.
 */
import type { GatewayError } from "../../plugin-api/errors.ts";
import type { Format } from "./schema.ts";

const TEXT = { "content-type": "text/plain; charset=utf-8" };

export const ok = (): Response => new Response("ok", { status: 200, headers: TEXT });

const UNPARSED = "invalid_payload";

/** The gateway's codes as Slack's strings; a code Slack has no word for is told in lower case. */
const SLACK_STRINGS: Readonly<Record<string, string>> = {
  SLACK_NO_TEXT: "no_text",
  NO_TEXT: "no_text",
  SLACK_INVALID_PAYLOAD: UNPARSED,
  INVALID_JSON: UNPARSED,
  INVALID_ENCODING: UNPARSED,
  UNSUPPORTED_MEDIA_TYPE: UNPARSED,
  BAD_REQUEST: UNPARSED,
  SLACK_INVALID_BLOCKS: "invalid_blocks",
  SLACK_INVALID_ATTACHMENTS: "invalid_attachments",
  SLACK_TOO_MANY_ATTACHMENTS: "too_many_attachments",
  BODY_TOO_LARGE: "request_too_large",
  STANZA_TOO_LARGE: "msg_too_long",
  AUTH_REQUIRED: "invalid_token",
  AUTH_FAILED: "invalid_token",
  FORBIDDEN: "action_prohibited",
};

/** Mattermost's message ids (i18n/en.json) for the refusals its webhook handler makes. */
const MATTERMOST_IDS: Readonly<Record<string, [id: string, message: string]>> = {
  SLACK_NO_TEXT: ["web.incoming_webhook.text.app_error", "No text specified."],
  NO_TEXT: ["web.incoming_webhook.text.app_error", "No text specified."],
  [UNPARSED]: ["web.incoming_webhook.parse.app_error", "Unable to parse incoming data."],
  // server/channels/web/webhook.go, multipart decoding (the English text from i18n/en.json, unverified).
  MATTERMOST_MULTIPART_UNDECODABLE: ["api.webhook.incoming.error", "Could not decode the multipart payload of incoming webhook."],
};

export function refusal(format: Format, err: GatewayError): Response {
  const word = SLACK_STRINGS[err.code] ?? err.code.toLowerCase();
  if (format === "slack") return new Response(word, { status: err.status, headers: { ...err.headers, ...TEXT } });
  const [id, message] = MATTERMOST_IDS[err.code] ?? MATTERMOST_IDS[word] ?? [`stanzagate.${err.code.toLowerCase()}`, err.message];
  return appError(err.status, id, message, err.message, err.headers);
}

/**
 * A path below a route's prefix that is no webhook (a wrong secret, a typo): what the vendor
 * answers an unknown hook, Slack's `no_service` and Mattermost's invalid-webhook AppError
 * (web/webhook.go; research §3.1, §3.2), so the sender's log says the URL is wrong.
 */
export function unknownHook(format: Format): Response {
  if (format === "slack") return new Response("no_service", { status: 404, headers: TEXT });
  return appError(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.", "no webhook is at this path");
}

function appError(status: number, id: string, message: string, detailed: string, headers: Record<string, string> = {}): Response {
  const body = { id, message, detailed_error: detailed, request_id: requestId(), status_code: status };
  return new Response(JSON.stringify(body), { status, headers: { ...headers, "content-type": "application/json" } });
}

/** Mattermost's request ids are 26 lower-case characters (model.NewId). */
const requestId = () => crypto.randomUUID().replaceAll("-", "").slice(0, 26);
