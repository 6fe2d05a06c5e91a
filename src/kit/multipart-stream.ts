/**
 * multipart/form-data (RFC 7578, delimiters as RFC 2046 §5.1.1) read as it streams: one part at a
 * time, each part's data a stream of its own, so a 15 MB file field goes to disk without the body
 * ever being held whole (multipart.ts reads small bodies whole; this one is for files). The
 * buffer holds one chunk and a delimiter's length at most. A body that ends before its closing
 * delimiter (a truncated upload) errors the part being read: nothing of it is taken as whole.
 */
import { GatewayError } from "../plugin-api/errors.ts";

export interface StreamPart {
  /** The `name` parameter of Content-Disposition ("" when absent). */
  name: string;
  /** Present for a file part (RFC 7578 §4.2). */
  filename: string | undefined;
  body: ReadableStream<Uint8Array>;
}

const CRLF = Buffer.from("\r\n");
const HEADERS_END = Buffer.from("\r\n\r\n");
/** RFC 7578 §4.8 headers are a few short lines; more is no form a sender writes. */
const MAX_HEADER_BYTES = 16_384;

const invalid = (reason: string) => new GatewayError("BAD_REQUEST", `Invalid multipart body: ${reason}.`, { details: { reason } });

export class MultipartStream {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #delimiter: Buffer;
  /** CRLF + delimiter: what ends a part's data. */
  readonly #end: Buffer;
  #buf = Buffer.alloc(0);
  #eof = false;
  /** The part being read: the next one starts after its data is drained. */
  #open: { done: boolean } | undefined;

  constructor(body: ReadableStream<Uint8Array>, boundary: string) {
    this.#reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    this.#delimiter = Buffer.from(`--${boundary}`);
    this.#end = Buffer.concat([CRLF, this.#delimiter]);
  }

  /** The next part, or undefined after the closing delimiter. */
  async next(): Promise<StreamPart | undefined> {
    if (this.#open) await this.#drain();
    if (this.#open === undefined && !(await this.#skipPreamble())) throw invalid("the body has no multipart boundary");
    // After a delimiter: `--` closes the body, CRLF starts a part (§5.1.1).
    if (!(await this.#want(2))) throw invalid("the multipart body has no final boundary");
    if (this.#buf.subarray(0, 2).toString() === "--") return this.#close();
    if (!this.#buf.subarray(0, 2).equals(CRLF)) throw invalid("a multipart boundary is not followed by a line break");
    this.#buf = this.#buf.subarray(2);
    const headers = await this.#headers();
    const disposition = headers.get("content-disposition");
    if (!disposition || !/^form-data\b/i.test(disposition)) throw invalid("a multipart part has no Content-Disposition: form-data");
    const open = { done: false };
    this.#open = open;
    return { name: param(disposition, "name") ?? "", filename: param(disposition, "filename"), body: this.#data(open) };
  }

  async #skipPreamble(): Promise<boolean> {
    for (;;) {
      const at = this.#buf.indexOf(this.#delimiter);
      if (at !== -1) {
        this.#buf = this.#buf.subarray(at + this.#delimiter.length);
        this.#open = { done: true };
        return true;
      }
      if (this.#buf.length > MAX_HEADER_BYTES || !(await this.#fill())) return false;
    }
  }

  async #headers(): Promise<Map<string, string>> {
    let end = this.#buf.indexOf(HEADERS_END);
    while (end === -1) {
      if (this.#buf.length > MAX_HEADER_BYTES) throw invalid("a multipart part's headers are too long");
      if (!(await this.#fill())) throw invalid("the multipart body has no final boundary");
      end = this.#buf.indexOf(HEADERS_END);
    }
    const head = this.#buf.subarray(0, end).toString("utf8");
    this.#buf = this.#buf.subarray(end + HEADERS_END.length);
    const lines = head.split("\r\n").filter((line) => line.includes(":"));
    return new Map(lines.map((line) => [line.slice(0, line.indexOf(":")).trim().toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
  }

  /** A part's data: bytes up to the next CRLF + delimiter, keeping back what could be its start. */
  #data(open: { done: boolean }): ReadableStream<Uint8Array> {
    return new ReadableStream({
      pull: async (controller) => {
        try {
          const chunk = await this.#dataChunk(open);
          if (chunk === undefined) controller.close();
          else controller.enqueue(chunk);
        } catch (err) {
          controller.error(err);
        }
      },
    });
  }

  async #dataChunk(open: { done: boolean }): Promise<Uint8Array | undefined> {
    for (;;) {
      if (open.done) return undefined;
      const at = this.#buf.indexOf(this.#end);
      if (at !== -1) {
        const data = this.#buf.subarray(0, at);
        this.#buf = this.#buf.subarray(at + this.#end.length);
        open.done = true;
        return data.byteLength ? data : undefined;
      }
      const safe = this.#buf.length - (this.#end.length - 1);
      if (safe > 0) {
        const data = this.#buf.subarray(0, safe);
        this.#buf = this.#buf.subarray(safe);
        return data;
      }
      if (!(await this.#fill())) throw invalid("the multipart body has no final boundary");
    }
  }

  async #drain(): Promise<void> {
    const open = this.#open as { done: boolean };
    while ((await this.#dataChunk(open)) !== undefined);
  }

  #close(): undefined {
    void this.#reader.cancel().catch(() => {});
    return undefined;
  }

  async #want(bytes: number): Promise<boolean> {
    while (this.#buf.length < bytes) if (!(await this.#fill())) return false;
    return true;
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const chunk = await this.#reader.read();
    if (chunk.done) {
      this.#eof = true;
      return false;
    }
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk.value]) : Buffer.from(chunk.value);
    return true;
  }
}

/** A parameter of Content-Disposition, quoted (with `\"` escapes) or not. */
function param(disposition: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i").exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2];
}
