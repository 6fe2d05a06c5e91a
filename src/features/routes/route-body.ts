/**
 * What a declarative route's templates read as `body`, by Content-Type: a JSON object's or a
 * form's fields; `body.text` for text/plain, and for a form without any `=` (what
 * `curl -d "backup done"` sends, as ntfy reads it); `{}` for no body. Then checked against the
 * route's `body:`.
 *
 * A form whose only field is `payload`, holding a JSON object, is read as that object when the
 * route declares `body:` fields (none of them named `payload`): GitHub's default webhook content
 * type and Slack's legacy webhooks send their JSON that way. Templates of other routes can
 * still read it with `{{ body.payload | parse_json }}`.
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { charsetOf, jsonHint, mediaType, parseForm, parseJsonObject, readBody, readText, type MediaType } from "../../kit/request-body.ts";
import type { BodyValidator } from "./body-spec.ts";

interface ReadFields {
  fields: Record<string, unknown>;
  /** How the body came: its media type, and its text when it was not JSON (for the hint). */
  type: MediaType | undefined;
  text?: string;
}

export async function routeBody(request: Request, maxBytes: number, spec: BodyValidator | undefined): Promise<Record<string, unknown>> {
  const read = await readFields(request, maxBytes);
  if (!spec) return read.fields;
  const fields = read.type === "form" && !spec.fields.includes("payload") ? unwrapPayload(read.fields) : read.fields;
  try {
    return spec.parse(fields);
  } catch (err) {
    // The route expects JSON fields: JSON sent as text or a form is the likely mistake.
    if (err instanceof GatewayError && err.code === "INVALID_BODY" && read.text !== undefined) {
      const hint = jsonHint(read.text, request);
      if (hint) err.details.hint = hint;
    }
    throw err;
  }
}

async function readFields(request: Request, maxBytes: number): Promise<ReadFields> {
  if (!request.headers.has("content-type") && (!request.body || (await request.clone().arrayBuffer()).byteLength === 0))
    return { fields: {}, type: undefined };
  if (mediaType(request) === "form") {
    const text = await readText(request, maxBytes);
    return { fields: text !== "" && !text.includes("=") ? { text } : parseForm(text, charsetOf(request)), type: "form", text };
  }
  const body = await readBody(request, maxBytes);
  return body.type === "text" ? { fields: { text: body.text }, type: "text", text: body.text } : { fields: body.fields, type: body.type };
}

function unwrapPayload(fields: Record<string, unknown>): Record<string, unknown> {
  const names = Object.keys(fields);
  if (names.length !== 1 || typeof fields.payload !== "string") return fields;
  try {
    return parseJsonObject(fields.payload);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new GatewayError("INVALID_JSON", 'The form\'s only field, "payload", is not a JSON object', { details: err.details });
  }
}
