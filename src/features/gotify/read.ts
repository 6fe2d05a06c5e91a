/**
 * A Gotify message as its senders post it (api/message.go CreateMessage, bound by gin's
 * `ctx.Bind`): JSON, a urlencoded form or a multipart form (Gotify's own curl example uses
 * `-F`), chosen by Content-Type. `message` is required; `title`, `priority`; `extras` only in
 * JSON ("Only accepted in CreateMessage requests with application/json content-type").
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { readMultipartForm } from "../../kit/multipart.ts";
import { charsetOf, jsonHint, parseForm, readJsonObject, readText } from "../../kit/request-body.ts";
import { textOf } from "../../kit/bounded.ts";
import { saysNothing } from "../../kit/xml-text.ts";
import { GOTIFY_ERRORS } from "./errors.ts";

export interface GotifyMessage {
  message: string;
  title?: string | undefined;
  priority?: number | undefined;
  extras?: Record<string, unknown> | undefined;
}

const essence = (request: Request) => request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";

/**
 * gin binds JSON by its Content-Type and everything else as a form, the URL's query included
 * (Go's Request.Form: the body's value first, then the query's), so `POST /message?message=hi`
 * is a message too. `query` is the URL's, without the token.
 */
export async function readGotifyMessage(request: Request, maxBytes: number, query: Record<string, string>): Promise<GotifyMessage> {
  const type = essence(request);
  if (type === "application/json") return fromJson(await readJsonObject(request, maxBytes));
  if (type === "multipart/form-data")
    return fromForm({ ...query, ...(await readMultipartForm(request, maxBytes, ["message", "title", "priority"])).fields });
  const text = await readText(request, maxBytes);
  if (type === "application/x-www-form-urlencoded") return fromForm({ ...query, ...parseForm(text, charsetOf(request)) });
  // Any other body is not read by Gotify either; a JSON one sent without its type is told why.
  const hint = jsonHint(text, request);
  if (hint && query.message === undefined) throw new GatewayError(GOTIFY_ERRORS.GOTIFY_NO_MESSAGE, `Field 'message' is required. ${hint}`);
  return fromForm(query);
}

function fromJson(fields: Record<string, unknown>): GotifyMessage {
  const { priority, extras } = fields;
  // Gotify's priority is a Go int: 1e20 does not fit, and Gotify answers 400.
  if (priority !== undefined && priority !== null && !Number.isSafeInteger(priority))
    throw new GatewayError("BAD_REQUEST", "Field 'priority' must be an integer");
  if (extras !== undefined && extras !== null && (typeof extras !== "object" || Array.isArray(extras)))
    throw new GatewayError("BAD_REQUEST", "Field 'extras' must be an object");
  return {
    message: requiredMessage(fields.message),
    title: optionalText(fields.title, "title"),
    priority: typeof priority === "number" ? priority : undefined,
    extras: (extras ?? undefined) as Record<string, unknown> | undefined,
  };
}

/** A form's values are text: priority is a decimal integer, as Go's strconv reads it. */
function fromForm(fields: Record<string, unknown>): GotifyMessage {
  const priority = fields.priority;
  if (typeof priority === "string" && priority !== "" && !/^[+-]?\d{1,9}$/.test(priority))
    throw new GatewayError("BAD_REQUEST", "Field 'priority' must be an integer");
  return {
    message: requiredMessage(fields.message),
    title: optionalText(fields.title, "title"),
    priority: typeof priority === "string" && priority !== "" ? Number(priority) : undefined,
  };
}

/** gin's `binding:"required"` on a string: absent and "" are both missing. */
function requiredMessage(value: unknown): string {
  if (value === undefined || value === null || value === "") throw new GatewayError(GOTIFY_ERRORS.GOTIFY_NO_MESSAGE);
  const text = textOf(value);
  if (text === undefined) throw new GatewayError("BAD_REQUEST", "Field 'message' must be a string");
  // Bytes that were not UTF-8 read as U+FFFD: a message of nothing else says nothing.
  if (text.includes("\ufffd") && saysNothing(text)) throw new GatewayError(GOTIFY_ERRORS.GOTIFY_NO_MESSAGE);
  return text;
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = textOf(value);
  if (text === undefined) throw new GatewayError("BAD_REQUEST", `Field '${name}' must be a string`);
  return text;
}
