/**
 * The codes only the Slack and Mattermost formats answer. On the wire they are told in the
 * sender's own shape (answer.ts): Slack's plain-text error strings, Mattermost's AppError JSON.
 */
import { ownErrors } from "../../plugin-api/errors.ts";

export const SLACK_ERRORS = ownErrors({
  // Slack: no_text (also seen as missing_text_or_fallback_or_attachments) for a message with nothing to show.
  SLACK_NO_TEXT: { status: 400, message: "The message has no text: no text, attachment or block says anything" },
  SLACK_INVALID_PAYLOAD: { status: 400, message: "The payload is not a JSON object (as the body, or in the form field payload)" },
  // Slack's Block Kit allows 50 blocks in a message (and in each attachment).
  SLACK_INVALID_BLOCKS: { status: 400, message: "blocks is not a list of at most 50 blocks" },
  SLACK_INVALID_ATTACHMENTS: { status: 400, message: "attachments is not a list" },
  SLACK_TOO_MANY_ATTACHMENTS: { status: 400, message: "More attachments than Slack allows in a message (100)" },
  // Mattermost decodes a multipart form into its request with gorilla/schema (web/webhook.go): a
  // text field cannot become the attachment list, and it answers api.webhook.incoming.error.
  MATTERMOST_MULTIPART_UNDECODABLE: {
    status: 400,
    message: "attachments cannot be a multipart field: send them in a JSON body",
  },
});
