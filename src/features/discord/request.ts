/**
 * An execute-webhook request body as Discord reads it (resources/webhook.mdx "Execute Webhook",
 * reference.mdx "Uploading Files"): JSON, a form, or multipart/form-data whose `payload_json`
 * part holds the JSON of the non-file fields and whose file parts are `files[n]` — or, from
 * Grafana, parts with an empty name (kit/multipart.ts). Bounded by http.max_body_bytes; what cannot
 * be read is Discord's error for it, never the gateway's own shape.
 */
import { isRecord } from "../../kit/bounded.ts";
import { isXmlText } from "../../kit/xml-text.ts";
import { mediaType, parseForm, parseJson, readText, charsetOf } from "../../kit/request-body.ts";
import { GatewayError } from "../../plugin-api/errors.ts";
import { invalidFormBody, invalidJson } from "./errors.ts";
import { isMultipart, readMultipartForm, type FormPart } from "../../kit/multipart.ts";
import type { ReceivedFile } from "./read.ts";

export interface DiscordRequestBody {
  fields: Record<string, unknown>;
  files: ReceivedFile[];
}

const ACCEPTED = "{'application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'}";

export async function readDiscordBody(request: Request, maxBytes: number): Promise<DiscordRequestBody> {
  if (isMultipart(request)) return multipartBody(request, maxBytes);
  const type = mediaType(request);
  if (type === "json") return { fields: jsonObject(await readText(request, maxBytes), invalidJson), files: [] };
  if (type === "form") return withPayloadJson(parseForm(await readText(request, maxBytes), charsetOf(request)), []);
  throw invalidFormBody([{ path: [], code: "CONTENT_TYPE_INVALID", message: `Expected "Content-Type" header to be one of ${ACCEPTED}.` }]);
}

/** The form fields Discord's Execute Webhook reads that a message shows (payload.ts), and payload_json. */
const FIELDS = ["payload_json", "content", "username", "avatar_url", "embeds"];

async function multipartBody(request: Request, maxBytes: number): Promise<DiscordRequestBody> {
  const form = await readMultipartForm(request, maxBytes, FIELDS).catch((err: unknown) => {
    throw err instanceof GatewayError ? asDiscordForm(err) : err;
  });
  return withPayloadJson(
    form.fields,
    form.files.map((part) => receivedFile(part, part.filename ?? "")),
  );
}

/** The multipart reader's refusals as Discord's 50035, naming the field. */
function asDiscordForm(err: GatewayError): GatewayError {
  if (err.code === "BAD_REQUEST") return invalidFormBody([{ path: [], code: "MULTIPART_INVALID", message: err.message }]);
  if (err.code === "INVALID_ENCODING")
    return invalidFormBody([{ path: [String(err.details.field)], code: "BASE_TYPE_STRING", message: "Must be valid UTF-8 text." }]);
  return err;
}

/** A file part as the message names it: its name and type must be text a chat message can carry. */
function receivedFile(part: FormPart, filename: string): ReceivedFile {
  if (!isXmlText(filename) || !isXmlText(part.type))
    throw invalidFormBody([
      {
        path: [part.name || "files"],
        code: "INVALID_CHARACTERS",
        message: "The file name contains characters a chat message cannot carry.",
      },
    ]);
  return { filename, type: part.type, size: part.data.byteLength };
}

/** `payload_json` holds the JSON fields; a form's own fields count where it does not say them. */
function withPayloadJson(fields: Record<string, unknown>, files: ReceivedFile[]): DiscordRequestBody {
  const { payload_json: payload, ...rest } = fields;
  if (payload === undefined) return { fields: rest, files };
  const notJson = () =>
    invalidFormBody([
      { path: ["payload_json"], code: "PAYLOAD_JSON_INVALID", message: "Must be a JSON object (payload_json does not parse)." },
    ]);
  return { fields: { ...rest, ...jsonObject(String(payload), notJson) }, files };
}

function jsonObject(text: string, failure: () => GatewayError): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (err) {
    if (err instanceof GatewayError && err.code === "INVALID_JSON") throw failure();
    throw err;
  }
  if (!isRecord(value))
    throw invalidFormBody([{ path: [], code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType" }]);
  return value;
}
