/**
 * The body of an incoming-webhook request: JSON, or a form whose field `payload` holds the JSON
 * (Slack's and Mattermost's form encoding, which GitLab and older tools use). Mattermost also
 * takes multipart/form-data whose fields are the payload's own (`curl -F text=hi`), and reads
 * any other Content-Type as JSON (server/channels/web/webhook.go): so does this.
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { charsetOf, jsonObjectOf, parseForm, readJsonObject, readText } from "../../kit/request-body.ts";
import { isMultipart, readMultipartForm } from "../../kit/multipart.ts";
import { SLACK_ERRORS } from "./errors.ts";
import type { Format } from "./schema.ts";

export async function readPayload(request: Request, maxBytes: number, format: Format): Promise<Record<string, unknown>> {
  if (format === "mattermost" && isMultipart(request)) return multipartFields(request, maxBytes);
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return readJsonObject(request, maxBytes, unparsed);
  const { payload } = parseForm(await readText(request, maxBytes), charsetOf(request));
  if (payload === undefined)
    throw new GatewayError(SLACK_ERRORS.SLACK_INVALID_PAYLOAD, "A form must carry the message as JSON in its field payload");
  return jsonObjectOf(payload, unparsed);
}

/**
 * Mattermost's multipart form: its fields are the request's own (`text`; what a message shows of
 * the rest, `attachments`, is a list no text field decodes into). Other fields are not read.
 */
async function multipartFields(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const { fields } = await readMultipartForm(request, maxBytes, ["text", "attachments"]);
  if (fields.attachments !== undefined) throw new GatewayError(SLACK_ERRORS.MATTERMOST_MULTIPART_UNDECODABLE);
  return fields;
}

const unparsed = (err: GatewayError) => new GatewayError(SLACK_ERRORS.SLACK_INVALID_PAYLOAD, err.message, { details: err.details });
