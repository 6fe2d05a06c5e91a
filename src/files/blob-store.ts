/**
 * The files' bytes, content-addressed by their SHA-256, whichever keeps them (issue 26): files on
 * the gateway's disk beside a SQLite store (blobs.ts), or chunks in a PostgreSQL store that
 * every replica reads (db-blobs.ts). Both stream a body in (counted and hashed as it comes,
 * never held whole) and name it by its hash only once it is whole, in one atomic step: a blob
 * is always whole, and a cut write leaves nothing a reader can see.
 */
import { createHash } from "node:crypto";
import { SNIFF_BYTES } from "./sniff.ts";

/** Why a write stopped before the end of the body. */
export class BlobCut extends Error {
  constructor(
    /** limit: admit() said no; body: the sender's stream failed (cut, malformed); disk-full; failed: any other write error. */
    readonly reason: "limit" | "body" | "disk-full" | "failed",
    cause?: unknown,
  ) {
    super(`file write stopped: ${reason}`, { cause });
    this.name = "BlobCut";
  }
}

export interface WrittenBlob {
  sha256: string;
  size: number;
  /** The first SNIFF_BYTES bytes, to sniff the type from. */
  head: Uint8Array;
  /** When the store named it (db-blobs.ts), to tell a later naming of the same bytes by another replica. */
  namedAt?: number;
}

/** Bytes `start` to `end`, both included (RFC 9110 §14.1.2's first-pos and last-pos). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobStore {
  /**
   * Streams `body` in. `admit(total)` is asked after each chunk with the bytes so far and
   * returns false to cut it (the file limit, the quota): the body is cancelled, what was written
   * forgotten, and BlobCut("limit") thrown.
   */
  write(body: ReadableStream<Uint8Array>, admit: (total: number) => boolean): Promise<WrittenBlob>;
  /** Whether the blob is there, whole. */
  has(sha256: string): Promise<boolean>;
  /** The blob's bytes (`range` of them) as a response body, undefined if it is gone; gone while read, the body errors. */
  read(sha256: string, range?: ByteRange): Promise<Blob | ReadableStream<Uint8Array> | undefined>;
  /** Runs `use` with the blob as a file on this machine (an uploader PUTs it with its length). */
  withFile<T>(sha256: string, use: (path: string) => Promise<T>): Promise<T>;
  /** The blobs there now (a sweep removes those no row names). */
  list(): Promise<string[]>;
  /** Removes a blob no row names, unless it was written within the grace (another replica may be naming it). */
  removeUnnamed(sha256: string): Promise<void>;
  /**
   * Removes what a refused write named, at once (the quota bounds what is kept), unless another
   * write (another replica's) named the same bytes since.
   */
  remove(blob: WrittenBlob): Promise<void>;
  /** Forgets what writes cut by a crash left, unnamed, longer ago than the grace. */
  sweepCut(): Promise<void>;
}

/** The hash, the size and the head of a stream, as its chunks pass. */
export class BlobTally {
  readonly #hash = createHash("sha256");
  readonly #head = new Uint8Array(SNIFF_BYTES);
  #headLength = 0;
  size = 0;

  add(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.size += chunk.byteLength;
    const room = SNIFF_BYTES - this.#headLength;
    if (room <= 0) return;
    // Copied: a producer may reuse its chunks.
    const part = chunk.subarray(0, room);
    this.#head.set(part, this.#headLength);
    this.#headLength += part.byteLength;
  }

  written(): WrittenBlob {
    return { sha256: this.#hash.digest("hex"), size: this.size, head: this.#head.slice(0, this.#headLength) };
  }
}

/** Reads `body` chunk by chunk; a failure of the sender's stream is BlobCut("body"). */
export async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let done = false;
  try {
    const next = () => reader.read().catch((err: unknown) => Promise.reject(new BlobCut("body", err)));
    for (let chunk = await next(); !chunk.done; chunk = await next()) yield chunk.value;
    done = true;
  } finally {
    if (!done) void reader.cancel().catch(() => {});
  }
}

/** Any error of a write as a BlobCut: ENOSPC and EDQUOT are a full disk. */
export function cut(err: unknown): BlobCut {
  if (err instanceof BlobCut) return err;
  const code = (err as { code?: unknown } | null)?.code;
  return new BlobCut(code === "ENOSPC" || code === "EDQUOT" ? "disk-full" : "failed", err);
}
