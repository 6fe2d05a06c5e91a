/**
 * The three payload formats of mod_post_msg, read into the same fields:
 * - text/plain: the whole body is the message text;
 * - application/x-www-form-urlencoded: to, type, body and html;
 * - application/json: an object with to, type and body (html is ignored there, as in the original).
 * Parameters such as `; charset=utf-8` are accepted (the original wanted the bare type; see README).
 */
import { GatewayError } from "../../src/plugin-api/index.ts";
import { charsetOf, mediaType, parseForm, readBody, readText } from "../../src/kit/request-body.ts";
import type { MessageFields } from "./message.ts";

/** The formats, in the order the original's Accept header named them, plus JSON which it forgot. */
export const ACCEPT_HEADER = "application/x-www-form-urlencoded, text/plain, application/json";

export async function readFields(request: Request, maxBytes: number): Promise<MessageFields> {
  const type = mediaType(request);
  if (type === "form") return formFields(await readText(request, maxBytes), charsetOf(request));
  // What readBody would answer for a text, without its async layer: the most common body here.
  if (type === "text") return { body: await readText(request, maxBytes) };
  // readBody answers 415 with the accepted types, 413 past maxBytes and 400 for broken JSON.
  const parsed = await readBody(request, maxBytes);
  return parsed.type === "text" ? { body: parsed.text } : jsonFields(parsed.fields);
}

/**
 * `curl -d 'Server has crashed!'` sends its text as a form without any `=`: the original found
 * no body field and sent an empty message (201) while the text was lost. That is refused here.
 */
function formFields(text: string, charset: string | undefined): MessageFields {
  if (text !== "" && !text.includes("=")) {
    throw new GatewayError("INVALID_BODY", "The form has no fields: send body=<text>, or the text with Content-Type: text/plain", {
      details: { field: "body", accepted_fields: ["to", "type", "body", "html"] },
    });
  }
  const f = parseForm(text, charset);
  return { to: nonEmpty(f.to), type: nonEmpty(f.type), body: f.body, html: f.html };
}

function jsonFields(f: Record<string, unknown>): MessageFields {
  return { to: nonEmpty(jsonString(f, "to")), type: nonEmpty(jsonString(f, "type")), body: jsonString(f, "body") };
}

/** An empty field (an HTML form's empty select or input) counts as absent. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === "" ? undefined : value;
}

/** A JSON field must be a string; null counts as absent. */
function jsonString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  throw new GatewayError("INVALID_BODY", `${name} must be a string`, { details: { field: name, found: typeof value } });
}
