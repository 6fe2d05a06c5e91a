/**
 * The two payloads Apprise posts, read into one message:
 * - json:// (NotifyJSON.py in apprise 1.2.0): JSON `{version, title, message, type, attachments[]}`,
 *   each attachment `{filename, base64, mimetype}` (`apprise --attach`): decoded into the file store;
 * - the Apprise API (NotifyAppriseAPI.py; apprise-api's `POST /notify/<key>`): JSON or a form with
 *   `body` (required), `title`, `type`, `format` and `tag` (a list from apprise 1.2.0, a string
 *   from curl), and `attach`/`attachment` URLs; or a multipart form whose file parts (`attach`,
 *   `attachN`, `attachment`, as apprise-api takes them) stream into the file store.
 * Files and URLs become the message's attachments (notify/incoming-files.ts).
 * A field of the wrong type, an unknown `type` or `format`, or an API payload without `body` is
 * INVALID_BODY naming the field: Apprise sends none of these, so a request carrying one is not Apprise's.
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { isMultipart, readMultipartForm } from "../../kit/multipart.ts";
import type { Attachment, FilesPort } from "../../files/types.ts";
import { checkCount, remoteAttachments, storeBytes, storeParts } from "../../notify/incoming-files.ts";
import { textOf } from "../../kit/bounded.ts";
import { readBody } from "../../kit/request-body.ts";

/** apprise/common.py NotifyType. */
export const APPRISE_TYPES = ["info", "success", "warning", "failure"] as const;
/** apprise/common.py NotifyFormat. */
const APPRISE_FORMATS = ["text", "markdown", "html"] as const;

/** Where a request's files go, and who sends them (the store's per-sender rate). */
export interface AttachInput {
  files: FilesPort | undefined;
  sender: string;
}

export interface AppriseMessage {
  title: string;
  body: string;
  type: (typeof APPRISE_TYPES)[number];
  format: (typeof APPRISE_FORMATS)[number];
  attachments: Attachment[];
}

type Fields = Record<string, unknown>;

/** json://'s payload: always JSON. */
export async function readJsonPayload(request: Request, maxBytes: number, attach: AttachInput): Promise<AppriseMessage> {
  const parsed = await readBody(request, maxBytes);
  if (parsed.type !== "json") throw invalid("Content-Type", "json:// posts application/json");
  const f = parsed.fields;
  const message = {
    title: text(f, "title"),
    body: text(f, "message"),
    type: oneOf(f, "type", APPRISE_TYPES, "info"),
    format: "text" as const,
  };
  const inline = list(f, "attachments").map((a, i) => jsonAttachment(a, i));
  checkCount(inline.filter((a) => a.bytes !== undefined).length);
  return { ...message, attachments: await jsonAttachments(inline, attach) };
}

/** The Apprise API's: JSON, a form or a multipart form (readBody refuses any other Content-Type with 415). */
export async function readApiPayload(request: Request, maxBytes: number, attach: AttachInput): Promise<AppriseMessage> {
  const { fields: f, files } = await apiBody(request, maxBytes, attach);
  const tag = f.tag ?? f.tags;
  if (tag !== undefined && typeof tag !== "string" && !(Array.isArray(tag) && tag.every((t) => typeof t === "string")))
    throw invalid("tag", "must be a string or a list of strings");
  const urls = [...strings(f, "attach"), ...strings(f, "attachment")];
  return withBody({
    title: text(f, "title"),
    body: text(f, "body"),
    type: oneOf(f, "type", APPRISE_TYPES, "info"),
    format: oneOf(f, "format", APPRISE_FORMATS, "text"),
    attachments: [
      ...files,
      ...(await remoteAttachments(
        attach.files,
        urls.map((url) => ({ url })),
        attach.sender,
        files.length,
      )),
    ],
  });
}

/** What the Apprise API reads of a form (apprise-api's NotifyView.post). */
const API_FIELDS = ["title", "body", "type", "format", "tag", "tags", "attach", "attachment"];

/** Newer Apprise posts attachments as multipart files (`attach`, `attachN`): each streams into the store. */
async function apiBody(request: Request, maxBytes: number, attach: AttachInput): Promise<{ fields: Fields; files: Attachment[] }> {
  if (isMultipart(request)) {
    const store = storeParts(attach.files, attach.sender);
    // The fields before a file are checked before it is stored: a refused request leaves no file behind.
    const checked: typeof store = (head, body, fields) => {
      for (const [name, allowed] of [
        ["type", APPRISE_TYPES],
        ["format", APPRISE_FORMATS],
      ] as const)
        oneOf(fields, name, allowed, allowed[0]);
      return store(head, body, fields);
    };
    const form = await readMultipartForm(request, maxBytes, API_FIELDS, checked);
    return { fields: form.fields, files: form.files };
  }
  const parsed = await readBody(request, maxBytes);
  if (parsed.type === "text") throw invalid("Content-Type", "the Apprise API takes JSON or a form");
  return { fields: parsed.fields, files: [] };
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

/** One of json://'s attachments as sent: inline bytes (base64), or a URL (a `:attachments=` override). */
interface InlineAttachment {
  name: string | undefined;
  bytes?: Uint8Array | undefined;
  url?: string | undefined;
}

/** RFC 4648 §4 base64 as Python's b64encode writes it (padded); whitespace a JSON writer wrapped it with is allowed. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function jsonAttachment(raw: unknown, i: number): InlineAttachment {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw invalid(`attachments[${i}]`, "must be an object");
  const a = raw as Fields;
  const name = text(a, "filename") || undefined;
  const url = text(a, "url") || undefined;
  const base64 = text(a, "base64").replace(/\s+/g, "");
  if (!BASE64.test(base64)) throw invalid(`attachments[${i}].base64`, "is not base64 (RFC 4648)");
  // An empty file is base64 "" (b64encode of nothing): a file still, unless a URL says where it is.
  return { name, ...(base64 || !url ? { bytes: Buffer.from(base64, "base64") } : { url }) };
}

/** Inline files into the store, URLs as remote attachments, in the order sent. */
async function jsonAttachments(inline: readonly InlineAttachment[], attach: AttachInput): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for (const a of inline) {
    if (a.bytes !== undefined) out.push(await storeBytes(attach.files, a.bytes, a.name, attach.sender));
    else if (a.url) out.push(...(await remoteAttachments(attach.files, [{ url: a.url, name: a.name }], attach.sender, out.length)));
  }
  return out;
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
