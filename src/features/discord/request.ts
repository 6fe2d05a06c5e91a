/**
 * An execute-webhook request body as Discord reads it (resources/webhook.mdx "Execute Webhook",
 * reference.mdx "Uploading Files"): JSON, a form, or multipart/form-data whose `payload_json`
 * part holds the JSON of the non-file fields and whose file parts are `files[n]` — or, from
 * Grafana, parts with an empty name, and from Apprise `file` (kit/multipart.ts): every file part
 * streams into the file store as it arrives (`store`: notify/incoming-files.ts). The fields are
 * bounded by http.max_body_bytes, each file by the store; what cannot be read is Discord's error
 * for it, never the gateway's own shape.
 */
import { isRecord } from "../../kit/bounded.ts";
import { mediaType, parseForm, parseJson, readText, charsetOf } from "../../kit/request-body.ts";
import { GatewayError } from "../../plugin-api/errors.ts";
import { invalidFormBody, invalidJson } from "./errors.ts";
import { isMultipart, readMultipartForm, type OnFile } from "../../kit/multipart.ts";
import type { Attachment } from "../../files/types.ts";
import { checkPayload } from "./payload.ts";

export interface DiscordRequestBody {
  fields: Record<string, unknown>;
  /** The request's files, stored: Discord's message attachments. */
  files: Attachment[];
}

const ACCEPTED = "{'application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'}";

export async function readDiscordBody(request: Request, maxBytes: number, store: OnFile<Attachment>): Promise<DiscordRequestBody> {
  if (isMultipart(request)) return multipartBody(request, maxBytes, store);
  const type = mediaType(request);
  if (type === "json") return { fields: jsonObject(await readText(request, maxBytes), invalidJson), files: [] };
  if (type === "form") return withPayloadJson(parseForm(await readText(request, maxBytes), charsetOf(request)), []);
  throw invalidFormBody([{ path: [], code: "CONTENT_TYPE_INVALID", message: `Expected "Content-Type" header to be one of ${ACCEPTED}.` }]);
}

/** The form fields Discord's Execute Webhook reads that a message shows (payload.ts), and payload_json. */
const FIELDS = ["payload_json", "content", "username", "avatar_url", "embeds"];

async function multipartBody(request: Request, maxBytes: number, store: OnFile<Attachment>): Promise<DiscordRequestBody> {
  const form = await readMultipartForm(request, maxBytes, FIELDS, checkedFirst(store)).catch((err: unknown) => {
    throw err instanceof GatewayError ? asDiscordForm(err) : err;
  });
  return withPayloadJson(form.fields, form.files);
}

/**
 * The fields before the first file are checked before it is stored: a payload Discord refuses
 * (a payload_json that does not parse, a field too long) leaves no file behind.
 */
function checkedFirst(store: OnFile<Attachment>): OnFile<Attachment> {
  let checked = false;
  return async (head, body, fields) => {
    if (!checked) {
      checked = true;
      try {
        const result = checkPayload(withPayloadJson(fields, []).fields);
        if ("problems" in result) throw invalidFormBody(result.problems);
      } catch (err) {
        await body.cancel().catch(() => {});
        throw err;
      }
    }
    return store(head, body, fields);
  };
}

/** The multipart reader's refusals as Discord's 50035, naming the field. */
function asDiscordForm(err: GatewayError): GatewayError {
  if (err.code === "BAD_REQUEST") return invalidFormBody([{ path: [], code: "MULTIPART_INVALID", message: err.message }]);
  if (err.code === "INVALID_ENCODING")
    return invalidFormBody([{ path: [String(err.details.field)], code: "BASE_TYPE_STRING", message: "Must be valid UTF-8 text." }]);
  return err;
}

/** `payload_json` holds the JSON fields; a form's own fields count where it does not say them. */
function withPayloadJson(fields: Record<string, unknown>, files: Attachment[]): DiscordRequestBody {
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
