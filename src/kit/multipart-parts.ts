/**
 * The parts of a multipart body (RFC 2046 §5.1.1) one after the other, as the bytes stream in:
 * each part's headers, then its content as a stream that ends where the next delimiter starts.
 * What is held is the bytes not yet handed on (at most a chunk and a delimiter's length), so a
 * part of any size passes through in constant memory. A body that breaks the grammar is a
 * MultipartError saying where.
 */
import { GatewayError } from "../plugin-api/errors.ts";

/** A part's headers as a form reads them (RFC 7578 §4.2, §4.4). */
export interface PartHead {
  /** The `name` parameter of Content-Disposition: may be "" (Grafana's images). */
  name: string;
  /** Present for a file part (RFC 7578 §4.2), "" when the sender gave an empty one. */
  filename: string | undefined;
  /** The part's Content-Type (RFC 7578 §4.4: text/plain when absent). */
  type: string;
}

/** A body that is not multipart/form-data, with a sentence saying why. */
export class MultipartError extends Error {}

const CRLF = Buffer.from("\r\n");
const HEADERS_END = Buffer.from("\r\n\r\n");
/** A part's headers, and a preamble, are a few hundred bytes from every sender: more is no form. */
const MAX_HEAD_BYTES = 16 * 1024;

export class PartReader {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private readonly reader: ReturnType<typeof readerOf> | undefined;
  private readonly delimiter: Buffer;
  /** RFC 2046 §5.1.1: the CRLF before a delimiter belongs to the delimiter, not to the part. */
  private readonly nextDelimiter: Buffer;
  /** Whether the current part's content is not read to its end yet. */
  private inPart = false;
  private started = false;

  constructor(
    private readonly request: Request,
    boundary: string,
  ) {
    this.reader = request.body ? readerOf(request.body) : undefined;
    this.delimiter = Buffer.from(`--${boundary}`);
    this.nextDelimiter = Buffer.concat([CRLF, this.delimiter]);
  }

  /** The next part's headers, or undefined after the close delimiter; the previous part's rest is skipped. */
  async next(): Promise<PartHead | undefined> {
    // A part nobody read (a field the format ignores) is skipped.
    while ((await this.piece()) !== null);
    if (!this.started) await this.preamble();
    this.started = true;
    // buf starts at a delimiter: `--` after it closes the body, CRLF starts a part.
    await this.need(this.delimiter.length + 2, "the multipart body has no final boundary");
    const after = this.buf.subarray(this.delimiter.length, this.delimiter.length + 2).toString("latin1");
    if (after === "--") return this.stop();
    if (after !== "\r\n") throw new MultipartError("a multipart boundary is not followed by a line break");
    this.buf = this.buf.subarray(this.delimiter.length);
    return this.head();
  }

  /** The current part's content: read it to its end, or cancel it to give up the whole body. */
  body(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      { pull: (controller) => this.pull(controller), cancel: () => void this.stop() },
      { highWaterMark: 0 },
    );
  }

  /** Stops reading the request (a refusal, or the end of the form): what is left is not read. */
  stop(): undefined {
    this.ended = true;
    void this.reader?.cancel().catch(() => {});
    return undefined;
  }

  /** RFC 2046 §5.1.1: a preamble may come before the first delimiter; it is ignored. */
  private async preamble(): Promise<void> {
    for (;;) {
      const at = this.buf.indexOf(this.delimiter);
      if (at !== -1) return void (this.buf = this.buf.subarray(at));
      if (this.buf.length > MAX_HEAD_BYTES || !(await this.more())) throw new MultipartError("the body has no multipart boundary");
    }
  }

  /** buf starts at the CRLF ending the delimiter line: the headers run to the empty line. */
  private async head(): Promise<PartHead> {
    let end = this.buf.indexOf(HEADERS_END);
    while (end === -1) {
      if (this.buf.length > MAX_HEAD_BYTES || !(await this.more())) throw new MultipartError("a multipart part's headers do not end");
      end = this.buf.indexOf(HEADERS_END);
    }
    const head = partHead(this.buf.subarray(CRLF.length, Math.max(end, CRLF.length)).toString("utf8"));
    this.buf = this.buf.subarray(end + HEADERS_END.length);
    this.inPart = true;
    return head;
  }

  /** The next piece of the current part (what surely precedes the next delimiter), or null past its end. */
  private async piece(): Promise<Uint8Array | null> {
    while (this.inPart) {
      const at = this.buf.indexOf(this.nextDelimiter);
      if (at !== -1) {
        const last = this.buf.subarray(0, at);
        this.buf = this.buf.subarray(at + CRLF.length);
        this.inPart = false;
        return last;
      }
      const safe = this.buf.length - (this.nextDelimiter.length - 1);
      if (safe > 0) {
        const piece = this.buf.subarray(0, safe);
        this.buf = this.buf.subarray(safe);
        return piece;
      }
      if (!(await this.more())) throw new MultipartError("the multipart body has no final boundary");
    }
    return null;
  }

  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    const piece = await this.piece();
    if (piece?.byteLength) controller.enqueue(piece);
    if (!this.inPart) controller.close();
  }

  private async need(bytes: number, missing: string): Promise<void> {
    while (this.buf.length < bytes) if (!(await this.more())) throw new MultipartError(missing);
  }

  /** One more chunk of the body; false at its end. */
  private async more(): Promise<boolean> {
    if (this.ended || !this.reader) return false;
    let chunk: Awaited<ReturnType<ReturnType<typeof readerOf>["read"]>>;
    try {
      chunk = await this.reader.read();
    } catch (err) {
      // A client that hangs up mid-body is CLIENT_GONE (logged at debug, not as a fault).
      if (this.request.signal.aborted || (err instanceof Error && err.name === "AbortError")) throw new GatewayError("CLIENT_GONE");
      throw err;
    }
    if (chunk.done) {
      this.ended = true;
      return false;
    }
    const value = Buffer.from(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength);
    this.buf = this.buf.length ? Buffer.concat([this.buf, value]) : value;
    return true;
  }
}

const readerOf = (body: ReadableStream<Uint8Array>) => body.getReader();

/** A part's header lines as a form part, or MultipartError without Content-Disposition: form-data. */
function partHead(head: string): PartHead {
  const headers = new Map(
    head
      .split("\r\n")
      .filter((line) => line.includes(":"))
      .map((line) => [line.slice(0, line.indexOf(":")).trim().toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
  );
  const disposition = headers.get("content-disposition");
  if (!disposition || !/^form-data\b/i.test(disposition))
    throw new MultipartError("a multipart part has no Content-Disposition: form-data");
  return {
    name: param(disposition, "name") ?? "",
    filename: param(disposition, "filename"),
    type: headers.get("content-type") ?? "text/plain",
  };
}

/** A parameter of Content-Disposition, quoted (with `\"` escapes, as Go writes them) or not. */
function param(disposition: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i").exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2];
}
