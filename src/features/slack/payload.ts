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
  if (format === "mattermost" && isMultipart(request)) return (await readMultipartForm(request, maxBytes)).fields;
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return readJsonObject(request, maxBytes, unparsed);
  const { payload } = parseForm(await readText(request, maxBytes), charsetOf(request));
  if (payload === undefined)
    throw new GatewayError(SLACK_ERRORS.SLACK_INVALID_PAYLOAD, "A form must carry the message as JSON in its field payload");
  return jsonObjectOf(payload, unparsed);
}

const unparsed = (err: GatewayError) => new GatewayError(SLACK_ERRORS.SLACK_INVALID_PAYLOAD, err.message, { details: err.details });
