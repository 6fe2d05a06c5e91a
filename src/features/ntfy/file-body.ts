/**
 * What a topic publish's body is, as ntfy decides (server/server.go `handlePublishBody` of
 * binwiederhier/ntfy v2.13): with `Attach:` the body is the message (case 4); with a file name
 * (`Filename:`, `X-Filename:`, `?filename=`) it is a file (case 6); otherwise it is the message
 * when it is UTF-8 of at most 4,096 bytes (case 5) and a file when it is longer or not UTF-8
 * (case 7: a long log piped to curl arrives as `attachment.txt`). Only the first 4,097 bytes are
 * read to decide: a file streams on into the store from there, never held whole.
 *
 * One departure: a file sent as multipart/form-data is its file part, not the whole form. ntfy
 * would store the form's bytes, boundaries and all; Apprise 1.2.0 (Debian bookworm's) sends its
 * `--attach` exactly so (`requests.post(files={"file": ...})`, plugins/NotifyNtfy.py), and the
 * chat should show the picture, not a broken file.
 */
import type { IncomingFile } from "../../files/types.ts";
import { boundaryOf, isMultipart } from "../../kit/multipart.ts";
import { MultipartStream } from "../../kit/multipart-stream.ts";
import { NTFY, ntfyError } from "./errors.ts";
import { MESSAGE_LIMIT } from "./publish.ts";
import type { ParamSource } from "./params.ts";

/** What is left of a body after the peek. */
interface Reader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(reason?: unknown): Promise<void>;
}

export type TopicBody = { text: Uint8Array } | { file: IncomingFile };

export async function readTopicBody(request: Request, p: ParamSource): Promise<TopicBody> {
  const declared = request.headers.get("content-length");
  const declaredSize = declared === null ? undefined : Number(declared);
  const name = p.get("x-filename", "filename", "file", "f") || undefined;
  const body = request.body ?? new Blob([]).stream();
  const attach = p.get("x-attach", "attach", "a") !== "";
  if (name !== undefined && !attach)
    return { file: isMultipart(request) ? await firstFilePart(request, body, name) : { body, name, declaredSize } };
  const { head, rest } = await peek(body, MESSAGE_LIMIT + 1);
  if (attach && rest !== undefined) {
    void rest.cancel().catch(() => {});
    throw ntfyError(NTFY.attachmentsDisallowed, "with Attach: the body is the message, at most 4096 bytes");
  }
  if (attach || (rest === undefined && isUtf8(head))) return { text: head };
  // ntfy's name for a file sent without one: "attachment" and the extension of its type (the store adds it).
  return { file: { body: prefixed(head, rest), name: "attachment", declaredSize } };
}

/** The first part of a form that is a file; a form without one is refused. */
async function firstFilePart(request: Request, body: ReadableStream<Uint8Array>, name: string): Promise<IncomingFile> {
  const boundary = boundaryOf(request.headers.get("content-type") ?? "");
  // No boundary: no form to take a part of, so the body is the file, as ntfy takes it.
  if (boundary === undefined) return { body, name };
  const form = new MultipartStream(body, boundary);
  for (let part = await form.next(); part; part = await form.next()) {
    if (part.filename !== undefined) return { body: part.body, name: part.filename || name };
  }
  throw ntfyError(NTFY.badRequest, "the multipart body has no file part");
}

/** The first `bytes` of a stream (or all of it, `rest` undefined when it ended before). */
async function peek(body: ReadableStream<Uint8Array>, bytes: number): Promise<{ head: Uint8Array; rest: Reader | undefined }> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < bytes) {
    const chunk = await reader.read();
    if (chunk.done || !chunk.value) return { head: Buffer.concat(chunks), rest: undefined };
    chunks.push(chunk.value);
    size += chunk.value.byteLength;
  }
  return { head: Buffer.concat(chunks), rest: reader };
}

/** The bytes already read, then what is left of the stream. */
function prefixed(head: Uint8Array, rest: Reader | undefined): ReadableStream<Uint8Array> {
  let first = true;
  return new ReadableStream({
    async pull(controller) {
      if (first) {
        first = false;
        if (head.byteLength > 0) return controller.enqueue(head);
      }
      const chunk = await rest?.read();
      if (!chunk?.value || chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel: (reason) => rest?.cancel(reason),
  });
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
