/**
 * multipart/form-data (RFC 7578) read as it streams in, every part kept: the one reader of every
 * format that takes it (Discord's payload_json and files, Gotify's and Mattermost's fields, the
 * Apprise API's). Written here because Bun's `Request.formData()` holds the whole body and drops
 * a part whose name is empty, and Grafana's Discord contact point sends its panel images exactly
 * so (`w.CreateFormFile("", name)` in grafana/alerting receivers/discord/v1/discord.go): the
 * images would vanish without a word. Text fields are bounded by http.max_body_bytes together; a
 * file part is either kept within that bound too, or handed on as a stream (`onFile`: into the
 * file store), so a file of any size costs a chunk of memory, never the whole body. The parts
 * come from multipart-stream.ts, which reads the body as it arrives.
 */
import { GatewayError } from "../plugin-api/errors.ts";
import { tooLarge } from "./request-body.ts";
import { MultipartStream, type StreamPart } from "./multipart-stream.ts";

/** A part's name and file name (RFC 7578 §4.2): what a form reads before its data. */
export type PartHead = Omit<StreamPart, "body">;

export interface FormPart extends PartHead {
  data: Uint8Array;
}

/** The `boundary` parameter of a multipart Content-Type (RFC 2046 §5.1.1: 1 to 70 characters). */
export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** Whether a request says it carries multipart/form-data. */
export function isMultipart(request: Request): boolean {
  return /^\s*multipart\/form-data\s*(;|$)/i.test(request.headers.get("content-type") ?? "");
}

/** A multipart form: its text fields by name, and its file parts (kept, or what `onFile` made of each). */
export interface MultipartForm<F = FormPart> {
  fields: Record<string, string>;
  files: F[];
}

/**
 * What becomes of a file part's bytes: read to its end (or cancelled, failing the request) before
 * the next part. `fields` are the fields read so far: a format can refuse what they say before a
 * file is stored (Grafana writes payload_json first).
 */
export type OnFile<F> = (head: PartHead, body: ReadableStream<Uint8Array>, fields: Readonly<Record<string, string>>) => Promise<F>;

/**
 * A multipart request's text fields named in `reads`, the fields the format reads (the first of a
 * repeated name winning, as Go's `FormValue` does), and its file parts. A field read that is not
 * UTF-8 is INVALID_ENCODING, never turned into U+FFFD; a field the format ignores is not decoded
 * (the service ignores it too, whatever its bytes). Without `onFile`, files count within
 * `maxBytes` with the fields, and a declared Content-Length past it is refused before reading.
 */
export async function readMultipartForm(request: Request, maxBytes: number, reads: readonly string[]): Promise<MultipartForm>;
export async function readMultipartForm<F>(
  request: Request,
  maxBytes: number,
  reads: readonly string[],
  onFile: OnFile<F>,
): Promise<MultipartForm<F>>;
export async function readMultipartForm<F>(
  request: Request,
  maxBytes: number,
  reads: readonly string[],
  onFile?: OnFile<F>,
): Promise<MultipartForm<F | FormPart>> {
  if (!onFile && Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const boundary = boundaryOf(request.headers.get("content-type") ?? "");
  if (boundary === undefined) throw unreadable("the Content-Type has no boundary");
  const form: MultipartForm<F | FormPart> = { fields: {}, files: [] };
  const budget = { left: maxBytes, max: maxBytes };
  const parts = new MultipartStream(request.body ?? new Blob([]).stream(), boundary);
  for (let part = await parts.next(); part !== undefined; part = await parts.next()) {
    const { body, ...head } = part;
    if (head.filename !== undefined && onFile) form.files.push(await onFile(head, body, form.fields));
    else if (head.filename !== undefined) form.files.push({ ...head, data: await kept(body, budget) });
    else if (reads.includes(head.name) && !Object.hasOwn(form.fields, head.name))
      form.fields[head.name] = partText(head, await kept(body, budget));
    else await kept(body, budget);
  }
  return form;
}

/** A part's bytes, counted against what is left of the body's bound. */
async function kept(body: ReadableStream<Uint8Array>, budget: { left: number; max: number }): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) {
    budget.left -= chunk.byteLength;
    if (budget.left < 0) throw tooLarge(budget.max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function unreadable(reason: string): GatewayError {
  return new GatewayError("BAD_REQUEST", `Invalid multipart body: ${reason}.`, { details: { reason } });
}

/** A text part, decoded strictly as UTF-8 (RFC 7578 §5.1.2), which every sender writes. */
function partText(head: PartHead, data: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    throw new GatewayError("INVALID_ENCODING", `The multipart field "${head.name}" is not UTF-8 text`, { details: { field: head.name } });
  }
}
