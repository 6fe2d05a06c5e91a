/**
 * A subscriber's bounded buffer: the text its stream has yet to send. The stream pulls (Bun pulls
 * only while the socket takes more), so a client that stops reading leaves its text here; once
 * that is over `maxBytes`, `push` throws and the bus drops this subscriber (issue 22 §4) instead of
 * the gateway's memory growing with it. The replay of the cache at a stream's start is bounded by
 * the cache's own limits and does not count against the live bound.
 */
const encoder = new TextEncoder();

export class StreamQueue {
  private chunks: string[] = [];
  /** Live bytes queued: what the bound counts. */
  private bytes = 0;
  private ended = false;
  private aborted = false;
  private wake: (() => void) | undefined;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  readonly stream: ReadableStream<Uint8Array>;

  constructor(
    private readonly maxBytes: number,
    /** The client hung up (or the stream was cancelled): stop feeding it. */
    onCancel: () => void,
  ) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => void (this.controller = controller),
        pull: (controller) => this.pull(controller),
        cancel: () => onCancel(),
      },
      { highWaterMark: 0 },
    );
  }

  /** Queues `text`; throws `reason` when the subscriber is more than maxBytes behind. */
  push(text: string, reason = "subscriber too slow"): void {
    if (this.ended) return;
    const size = Buffer.byteLength(text);
    if (this.bytes + size > this.maxBytes) throw new Error(reason);
    this.chunks.push(text);
    this.bytes += size;
    this.wake?.();
  }

  /** Queues the cache's replay: bounded by the cache, not by maxBytes. */
  pushReplay(text: string): void {
    if (this.ended) return;
    this.chunks.push(text);
    this.wake?.();
  }

  /** Sends what is queued, then ends the stream. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake?.();
  }

  /** Ends the stream at once, unsent text dropped: the connection closes even if the client reads nothing. */
  abort(): void {
    this.ended = true;
    this.aborted = true;
    this.chunks = [];
    this.wake?.();
    try {
      // Errored without an Error object: Bun prints an Error a stream ends with to stderr, outside the log (the caller logs `reason`).
      this.controller?.error(undefined);
    } catch {
      // Already closed: nothing left to abort.
    }
  }

  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    while (this.chunks.length === 0 && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    if (this.aborted) return;
    if (this.chunks.length > 0) {
      controller.enqueue(encoder.encode(this.chunks.join("")));
      this.chunks = [];
      this.bytes = 0;
    }
    if (this.ended) controller.close();
  }
}
