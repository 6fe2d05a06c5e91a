/**
 * multipart/form-data (RFC 7578) read into its parts, every part kept: the one reader of every
 * format that takes it (Discord's payload_json and files, Gotify's and Mattermost's fields, the
 * Apprise API's). Written here because Bun's `Request.formData()` drops a part whose name is
 * empty, and Grafana's Discord contact point sends its panel images exactly so
 * (`w.CreateFormFile("", name)` in grafana/alerting receivers/discord/v1/discord.go): the images
 * would vanish without a word. The body is read within http.max_body_bytes first.
 */
import { GatewayError } from "../plugin-api/errors.ts";
import { readBytes } from "./request-body.ts";

export interface FormPart {
  /** The `name` parameter of Content-Disposition: may be "" (Grafana's images). */
  name: string;
  /** Present for a file part (RFC 7578 §4.2), "" when the sender gave an empty one. */
  filename: string | undefined;
  /** The part's Content-Type (RFC 7578 §4.4: text/plain when absent). */
  type: string;
  data: Uint8Array;
}

const CRLF = Buffer.from("\r\n");
const HEADERS_END = Buffer.from("\r\n\r\n");

/** The `boundary` parameter of a multipart Content-Type (RFC 2046 §5.1.1: 1 to 70 characters). */
export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** The parts of a body, or a sentence saying why it is not multipart/form-data. */
export function parseMultipart(body: Uint8Array, boundary: string): FormPart[] | string {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.concat([CRLF, delimiter]);
  // RFC 2046 §5.1.1: a preamble may come before the first delimiter; it is ignored.
  let at = bytes.indexOf(delimiter);
  if (at === -1) return "the body has no multipart boundary";
  const parts: FormPart[] = [];
  for (;;) {
    at += delimiter.length;
    if (bytes.subarray(at, at + 2).toString() === "--") return parts;
    if (!bytes.subarray(at, at + 2).equals(CRLF)) return "a multipart boundary is not followed by a line break";
    const next = bytes.indexOf(nextDelimiter, at);
    if (next === -1) return "the multipart body has no final boundary";
    const part = readPart(bytes.subarray(at + 2, next));
    if (typeof part === "string") return part;
    parts.push(part);
    at = next + CRLF.length;
  }
}

function readPart(raw: Buffer): FormPart | string {
  const end = raw.indexOf(HEADERS_END);
  const head = end === -1 ? raw.toString("utf8") : raw.subarray(0, end).toString("utf8");
  const data = end === -1 ? new Uint8Array(0) : raw.subarray(end + HEADERS_END.length);
  const headers = new Map(
    head
      .split("\r\n")
      .filter((line) => line.includes(":"))
      .map((line) => [line.slice(0, line.indexOf(":")).trim().toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
  );
  const disposition = headers.get("content-disposition");
  if (!disposition || !/^form-data\b/i.test(disposition)) return "a multipart part has no Content-Disposition: form-data";
  return {
    name: param(disposition, "name") ?? "",
    filename: param(disposition, "filename"),
    type: headers.get("content-type") ?? "text/plain",
    data,
  };
}

/** A parameter of Content-Disposition, quoted (with `\"` escapes, as Go writes them) or not. */
function param(disposition: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i").exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2];
}

/** Whether a request says it carries multipart/form-data. */
export function isMultipart(request: Request): boolean {
  return /^\s*multipart\/form-data\s*(;|$)/i.test(request.headers.get("content-type") ?? "");
}

/** The parts of a multipart request, read within `maxBytes`; BAD_REQUEST saying why it cannot be read. */
async function readMultipart(request: Request, maxBytes: number): Promise<FormPart[]> {
  const boundary = boundaryOf(request.headers.get("content-type") ?? "");
  const parts = boundary === undefined ? "the Content-Type has no boundary" : parseMultipart(await readBytes(request, maxBytes), boundary);
  if (typeof parts === "string") throw new GatewayError("BAD_REQUEST", `Invalid multipart body: ${parts}.`, { details: { reason: parts } });
  return parts;
}

/** A multipart form: its text fields by name, and its file parts. */
export interface MultipartForm {
  fields: Record<string, string>;
  files: FormPart[];
}

/**
 * A multipart request's text fields named in `reads`, the fields the format reads (the first of a
 * repeated name winning, as Go's `FormValue` does), and its file parts. A field read that is not
 * UTF-8 is INVALID_ENCODING, never turned into U+FFFD; a field the format ignores is not decoded
 * (the service ignores it too, whatever its bytes).
 */
export async function readMultipartForm(request: Request, maxBytes: number, reads: readonly string[]): Promise<MultipartForm> {
  const form: MultipartForm = { fields: {}, files: [] };
  for (const part of await readMultipart(request, maxBytes)) {
    if (part.filename !== undefined) form.files.push(part);
    else if (reads.includes(part.name) && !Object.hasOwn(form.fields, part.name)) form.fields[part.name] = partText(part);
  }
  return form;
}

/** A text part, decoded strictly as UTF-8 (RFC 7578 §5.1.2), which every sender writes. */
function partText(part: FormPart): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(part.data);
  } catch {
    throw new GatewayError("INVALID_ENCODING", `The multipart field "${part.name}" is not UTF-8 text`, { details: { field: part.name } });
  }
}
