/**
 * The body of a fetched remote file as the store reads it: cut while it streams at
 * `attachments.remote.max_bytes` and at the fetch's deadline, so a server that sends 1 GB or
 * trickles one byte a minute holds neither the memory nor the connection (issue 21 §5).
 */
import { GatewayError } from "../plugin-api/errors.ts";

/** The time bound of one fetch, from the first DNS answer to the last byte of the body. */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;

  constructor(readonly ms: number) {
    // Aborting the fetch also ends a body the store stopped reading: the socket never outlives the bound.
    this.#timer = setTimeout(() => this.#controller.abort(), ms);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get passed(): boolean {
    return this.#controller.signal.aborted;
  }

  /** The fetch is over (done, failed or cut): the timer and the socket go. */
  end(): void {
    clearTimeout(this.#timer);
    this.#controller.abort();
  }

  /** The sentence of a fetch cut by this deadline. */
  failure(origin: string, what: string): GatewayError {
    const seconds = this.ms / 1000;
    return new GatewayError("REMOTE_FAILED", `${origin} did not ${what} within ${seconds} s (attachments.remote.timeout_s)`);
  }
}

/** FILE_TOO_LARGE for a remote file, saying which bound and what the server declared or sent. */
export function tooLarge(origin: string, maxBytes: number, found: string): GatewayError {
  return new GatewayError(
    "FILE_TOO_LARGE",
    `The file at ${origin} is larger than attachments.remote.max_bytes (${maxBytes} bytes): ${found}`,
  );
}

/**
 * A stream that hands on the body's chunks one pull at a time (never more than one chunk held
 * here), errors with FILE_TOO_LARGE past `maxBytes` and with REMOTE_FAILED past the deadline.
 */
export function boundedBody(
  body: ReadableStream<Uint8Array> | null,
  origin: string,
  maxBytes: number,
  deadline: Deadline,
): ReadableStream<Uint8Array> {
  const reader = body?.getReader();
  let size = 0;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: GatewayError) => {
    deadline.end();
    void reader?.cancel().catch(() => {});
    controller.error(error);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await reader?.read().catch((err: unknown) => ({ err }));
        if (chunk === undefined || ("done" in chunk && chunk.done)) return (deadline.end(), controller.close());
        if ("err" in chunk)
          return fail(controller, deadline.passed ? deadline.failure(origin, "send the whole file") : readFailed(origin, chunk.err));
        size += chunk.value.byteLength;
        if (size > maxBytes) return fail(controller, tooLarge(origin, maxBytes, `it sent more than ${maxBytes} bytes`));
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        deadline.end();
        return reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

function readFailed(origin: string, err: unknown): GatewayError {
  const why = err instanceof Error ? err.message : String(err);
  return new GatewayError("REMOTE_FAILED", `${origin} broke off while sending the file: ${why}`);
}
