/**
 * A declarative route's `attach:` (issue 21 §1): files it takes with the request and sends after
 * its templates' messages, one XEP-0066 message each to every recipient of a message template.
 * `attach: file` names multipart fields (`curl -F file=@snapshot.jpg`), whose other fields are
 * the body the templates read; `attach: body` takes a whole non-multipart body (a camera POSTing
 * its JPEG), named by `?filename=` or a `Filename` header. Files stream into the store.
 */
import type { Element } from "ltx";
import { GatewayError } from "../../plugin-api/errors.ts";
import type { FilesPort, StoredFile } from "../../files/types.ts";
import { boundaryOf, isMultipart } from "../../kit/multipart.ts";
import { MultipartStream } from "../../kit/multipart-stream.ts";
import { xml } from "../../kit/xml.ts";
import { attachmentContent } from "../../notify/attachments.ts";
import { checkCount } from "../../notify/incoming-files.ts";
import { tooLarge } from "../../kit/request-body.ts";

/** `attach: body`: the whole request body is the file. */
const RAW_BODY = "body";

export interface AttachedRequest {
  /** The multipart text fields (the templates' `body`), undefined for a raw body: no fields. */
  fields: Record<string, string> | undefined;
  files: StoredFile[];
}

/** Whether the request carries the route's files, as multipart fields or as its raw body. */
export function carriesFiles(request: Request, attach: readonly string[]): boolean {
  return isMultipart(request) || (attach.includes(RAW_BODY) && request.body !== null);
}

export async function readAttached(
  request: Request,
  attach: readonly string[],
  files: FilesPort,
  sender: string,
  maxFieldBytes: number,
): Promise<AttachedRequest> {
  if (!isMultipart(request)) return { fields: undefined, files: [await files.put(rawFile(request), sender)] };
  const boundary = boundaryOf(request.headers.get("content-type") ?? "");
  if (boundary === undefined || request.body === null)
    throw new GatewayError("BAD_REQUEST", "Invalid multipart body: the Content-Type has no boundary.");
  const form = new MultipartStream(request.body, boundary);
  const fields: Record<string, string> = {};
  const stored: StoredFile[] = [];
  let fieldBytes = 0;
  for (let part = await form.next(); part; part = await form.next()) {
    if (part.filename !== undefined && attach.includes(part.name)) {
      await beforeReading(part.body, () => checkCount(stored.length + 1));
      stored.push(await files.put({ body: part.body, name: part.filename }, sender));
    } else if (part.filename !== undefined) {
      await part.body.cancel();
      throw new GatewayError("INVALID_BODY", `The file field "${part.name}" is not one this route attaches (attach: ${attach.join(", ")})`);
    } else {
      const bytes = await readBounded(part.body, maxFieldBytes - fieldBytes, maxFieldBytes);
      fieldBytes += bytes.byteLength;
      if (!Object.hasOwn(fields, part.name)) fields[part.name] = fieldText(part.name, bytes);
    }
  }
  return { fields, files: stored };
}

/**
 * Each file is a chat message to every recipient: a request carries at most as many as any
 * format's (FILES_TOO_MANY), refused before the one too many is read.
 */
async function beforeReading(body: ReadableStream<Uint8Array>, check: () => void): Promise<void> {
  try {
    check();
  } catch (err) {
    await body.cancel().catch(() => {});
    throw err;
  }
}

/** A text field, refused (BODY_TOO_LARGE, http.max_body_bytes for all of them) as it passes `room`. */
async function readBounded(body: ReadableStream<Uint8Array>, room: number, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > room) throw tooLarge(max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function rawFile(request: Request) {
  const declared = request.headers.get("content-length");
  const url = new URL(request.url);
  const name = url.searchParams.get("filename") ?? request.headers.get("x-filename") ?? request.headers.get("filename") ?? undefined;
  return { body: request.body ?? new Blob([]).stream(), name, declaredSize: declared === null ? undefined : Number(declared) };
}

function fieldText(name: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new GatewayError("INVALID_ENCODING", `The multipart field "${name}" is not UTF-8 text`, { details: { field: name } });
  }
}

/**
 * One message per file to each recipient of the templates' messages (in their order, with their
 * type: chat or groupchat), after them: the body exactly the URL, the OOB element carrying it.
 */
export function attachmentMessages(
  stanzas: readonly Element[],
  files: readonly StoredFile[],
  component: string,
  newId: () => string,
): Element[] {
  const recipients = new Map<string, { type: string; from: string }>();
  for (const s of stanzas) {
    if (s.name !== "message" || !s.attrs.to || recipients.has(s.attrs.to)) continue;
    recipients.set(s.attrs.to, { type: s.attrs.type ?? "chat", from: s.attrs.from ?? component });
  }
  return [...recipients].flatMap(([to, { type, from }]) =>
    files.map((file) => {
      const id = newId();
      const { body, extra } = attachmentContent({ kind: "file", file });
      return xml("message", { to, from, id, type }, xml("body", {}, body), xml("origin-id", { xmlns: "urn:xmpp:sid:0", id }), ...extra);
    }),
  );
}
