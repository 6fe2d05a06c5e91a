/**
 * The two payloads Apprise posts, read into one message:
 * - json:// (NotifyJSON.py in apprise 1.2.0): JSON `{version, title, message, type, attachments[]}`,
 *   each attachment `{filename, base64, mimetype}`;
 * - the Apprise API (NotifyAppriseAPI.py; apprise-api's `POST /notify/<key>`): JSON or a form with
 *   `body` (required), `title`, `type`, `format` and `tag` (a list from apprise 1.2.0, a string
 *   from curl), and `attach`/`attachment` URLs.
 * A field of the wrong type, an unknown `type` or `format`, or an API payload without `body` is
 * INVALID_BODY naming the field: Apprise sends none of these, so a request carrying one is not Apprise's.
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { isMultipart, readMultipartForm, type FormPart } from "../../kit/multipart.ts";
import { textOf } from "../../kit/bounded.ts";
import { readBody } from "../../kit/request-body.ts";
import { isXmlText } from "../../kit/xml-text.ts";

/** apprise/common.py NotifyType. */
export const APPRISE_TYPES = ["info", "success", "warning", "failure"] as const;
/** apprise/common.py NotifyFormat. */
const APPRISE_FORMATS = ["text", "markdown", "html"] as const;

export interface AppriseAttachment {
  name: string;
  mimetype?: string | undefined;
  /** Decoded size of a base64 attachment. */
  bytes?: number | undefined;
  url?: string | undefined;
}

export interface AppriseMessage {
  title: string;
  body: string;
  type: (typeof APPRISE_TYPES)[number];
  format: (typeof APPRISE_FORMATS)[number];
  attachments: AppriseAttachment[];
}

type Fields = Record<string, unknown>;

/** json://'s payload: always JSON. */
export async function readJsonPayload(request: Request, maxBytes: number): Promise<AppriseMessage> {
  const parsed = await readBody(request, maxBytes);
  if (parsed.type !== "json") throw invalid("Content-Type", "json:// posts application/json");
  const f = parsed.fields;
  return {
    title: text(f, "title"),
    body: text(f, "message"),
    type: oneOf(f, "type", APPRISE_TYPES, "info"),
    format: "text",
    attachments: list(f, "attachments").map((a, i) => jsonAttachment(a, i)),
  };
}

/** The Apprise API's: JSON, a form or a multipart form (readBody refuses any other Content-Type with 415). */
export async function readApiPayload(request: Request, maxBytes: number): Promise<AppriseMessage> {
  const { fields: f, files } = await apiBody(request, maxBytes);
  const tag = f.tag ?? f.tags;
  if (tag !== undefined && typeof tag !== "string" && !(Array.isArray(tag) && tag.every((t) => typeof t === "string")))
    throw invalid("tag", "must be a string or a list of strings");
  const urls = [...strings(f, "attach"), ...strings(f, "attachment")];
  return withBody({
    title: text(f, "title"),
    body: text(f, "body"),
    type: oneOf(f, "type", APPRISE_TYPES, "info"),
    format: oneOf(f, "format", APPRISE_FORMATS, "text"),
    attachments: [...urls.map((url) => ({ name: url.split(/[/?#]/).filter(Boolean).at(-1) ?? url, url })), ...files],
  });
}

/** What the Apprise API reads of a form (apprise-api's NotifyView.post). */
const API_FIELDS = ["title", "body", "type", "format", "tag", "tags", "attach", "attachment"];

/** Newer Apprise posts attachments as multipart files (`attach`, `attachN`): named in the message, not kept. */
async function apiBody(request: Request, maxBytes: number): Promise<{ fields: Fields; files: AppriseAttachment[] }> {
  if (isMultipart(request)) {
    const form = await readMultipartForm(request, maxBytes, API_FIELDS);
    return { fields: form.fields, files: form.files.map((part, i) => fileAttachment(part, i)) };
  }
  const parsed = await readBody(request, maxBytes);
  if (parsed.type === "text") throw invalid("Content-Type", "the Apprise API takes JSON or a form");
  return { fields: parsed.fields, files: [] };
}

function fileAttachment(part: FormPart, i: number): AppriseAttachment {
  const name = part.filename || `attachment ${i + 1}`;
  if (!isXmlText(name) || !isXmlText(part.type))
    throw invalid(part.name || "attach", "names a file with characters a chat message cannot carry");
  return { name, mimetype: part.type, bytes: part.data.byteLength };
}

/**
 * apprise-api's NotifyView.post refuses a payload without a `body` (absent or "") unless it has an
 * attachment, whatever its title: "Payload lacks minimum requirements", 400. json:// (Apprise's own
 * payload) may carry a title alone; a message that shows nothing is the shared check's (NO_TEXT).
 */
function withBody(m: AppriseMessage): AppriseMessage {
  if (m.body === "" && m.attachments.length === 0)
    throw new GatewayError("INVALID_BODY", "Payload lacks minimum requirements", {
      details: { problems: [{ field: "body", problem: "is required, unless an attachment is given" }] },
    });
  return m;
}

function jsonAttachment(raw: unknown, i: number): AppriseAttachment {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw invalid(`attachments[${i}]`, "must be an object");
  const a = raw as Fields;
  const name = text(a, "filename") || `attachment ${i + 1}`;
  const mimetype = text(a, "mimetype") || undefined;
  const url = text(a, "url") || undefined;
  const base64 = text(a, "base64");
  // What the JSON carried decodes to this many bytes: the size the message names.
  const bytes = base64 ? Buffer.from(base64, "base64").length : undefined;
  return { name, mimetype, bytes, url };
}

function text(f: Fields, name: string): string {
  const v = f[name];
  if (v === undefined || v === null) return "";
  const s = textOf(v);
  if (s === undefined) throw invalid(name, "must be a string");
  return s;
}

function strings(f: Fields, name: string): string[] {
  const v = f[name];
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return v.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v;
  throw invalid(name, "must be a URL or a list of URLs");
}

function list(f: Fields, name: string): unknown[] {
  const v = f[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(name, "must be a list");
  return v;
}

function oneOf<T extends string>(f: Fields, name: string, allowed: readonly T[], fallback: T): T {
  const v = f[name];
  if (v === undefined || v === null || v === "") return fallback;
  if (typeof v === "string" && (allowed as readonly string[]).includes(v.toLowerCase())) return v.toLowerCase() as T;
  throw invalid(name, `must be one of ${allowed.join(", ")}`);
}

export function invalid(field: string, problem: string): GatewayError {
  return new GatewayError("INVALID_BODY", `${field} ${problem}`, { details: { problems: [{ field, problem }] } });
}
