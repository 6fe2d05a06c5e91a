/**
 * The files' bytes in the store itself (issue 26: PostgreSQL, so that a file uploaded through one
 * replica is served by every other): the BlobStore (blob-store.ts) over the store's BlobRows.
 * A body is cut into chunks of CHUNK_BYTES as it streams, each written at once under an upload id
 * of its own (never the whole file in memory, nor a connection held for a slow sender's upload);
 * once whole, one transaction names the chunks by their hash, as a rename does on disk. Until
 * then no reader can find them, and chunks a crash left are forgotten by a later sweep.
 * Chunked rows rather than PostgreSQL's large objects: rows go with a DELETE (a large object needs
 * lo_unlink, and leaks when it is forgotten), are replicated and dumped like any other table, and
 * a byte range is a few chunks by their number.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BlobRows } from "../store/types.ts";
import { BlobCut, BlobTally, type BlobStore, type ByteRange, type WrittenBlob, bodyChunks, cut } from "./blob-store.ts";

/** 256 KiB: a few round trips per megabyte, and what one upload holds in memory at most. */
const CHUNK_BYTES = 262_144;

export class DbBlobs implements BlobStore {
  /** `graceMs`: how long a blob no row names is kept (another replica may be naming it, blobs.ts). */
  constructor(
    readonly rows: BlobRows,
    readonly graceMs: number,
    readonly chunkBytes = CHUNK_BYTES,
  ) {}

  async write(body: ReadableStream<Uint8Array>, admit: (total: number) => boolean): Promise<WrittenBlob> {
    const upload = randomBytes(16).toString("hex");
    const tally = new BlobTally();
    const pending = new Chunker(this.chunkBytes);
    let n = 0;
    try {
      for await (const chunk of bodyChunks(body)) {
        if (!admit(tally.size + chunk.byteLength)) throw new BlobCut("limit");
        tally.add(chunk);
        for (const full of pending.add(chunk)) await this.rows.putChunk(upload, n++, full);
      }
      const last = pending.rest();
      if (last.byteLength > 0) await this.rows.putChunk(upload, n++, last);
      const blob = tally.written();
      const namedAt = await this.rows.name(upload, { sha256: blob.sha256, size: blob.size, chunks: n, chunkBytes: this.chunkBytes });
      if (namedAt === undefined) throw new BlobCut("failed", new Error("chunks of the file went missing before it was whole"));
      return { ...blob, namedAt };
    } catch (err) {
      // The store unreachable: the chunks stay unnamed, unseen, until a sweep forgets them.
      await this.rows.drop(upload).catch(() => {});
      throw cut(err);
    }
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.rows.find(sha256)) !== undefined;
  }

  /** A stream that reads one chunk at a time, as the client takes them. */
  async read(sha256: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | undefined> {
    const blob = await this.rows.find(sha256);
    if (!blob) return undefined;
    const { start, end } = range ?? { start: 0, end: blob.size - 1 };
    const size = blob.chunkBytes;
    const [first, last] = [Math.floor(start / size), Math.floor(end / size)];
    let n = first;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          if (n > last || end < start) return controller.close();
          const [part] = await this.rows.chunks(blob.upload, n, n);
          if (!part) throw new Error("the file's bytes went while it was read (it expired)");
          const from = n === first ? start - n * size : 0;
          const to = n === last ? end - n * size + 1 : part.byteLength;
          controller.enqueue(part.subarray(from, to));
          n++;
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** The chunks written to a temporary file, removed once `use` is done. */
  async withFile<T>(sha256: string, use: (path: string) => Promise<T>): Promise<T> {
    const body = await this.read(sha256);
    if (!body) throw new Error(`the file ${sha256} is no longer stored`);
    const dir = mkdtempSync(join(tmpdir(), "stanzagate-blob-"));
    try {
      const path = join(dir, sha256);
      await Bun.write(path, new Response(body));
      return await use(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  list(): Promise<string[]> {
    return this.rows.list();
  }

  async removeUnnamed(sha256: string): Promise<void> {
    await this.rows.removeUnnamed(sha256, Date.now() - this.graceMs);
  }

  async remove(blob: WrittenBlob): Promise<void> {
    await this.rows.removeUnnamed(blob.sha256, blob.namedAt ?? Number.MAX_SAFE_INTEGER);
  }

  async sweepCut(): Promise<void> {
    await this.rows.sweepUploads(Date.now() - this.graceMs);
  }
}

/** Cuts a stream's chunks into chunks of `size` bytes (the last one shorter). */
class Chunker {
  #buf: Uint8Array;
  #length = 0;

  constructor(readonly size: number) {
    this.#buf = new Uint8Array(size);
  }

  /** The chunks `bytes` filled. */
  add(bytes: Uint8Array): Uint8Array[] {
    const full: Uint8Array[] = [];
    for (let at = 0; at < bytes.byteLength; ) {
      const part = bytes.subarray(at, at + this.size - this.#length);
      this.#buf.set(part, this.#length);
      this.#length += part.byteLength;
      at += part.byteLength;
      if (this.#length === this.size) full.push(this.rest());
    }
    return full;
  }

  /** What is held, and a fresh buffer. */
  rest(): Uint8Array {
    const held = this.#buf.subarray(0, this.#length);
    this.#buf = new Uint8Array(this.size);
    this.#length = 0;
    return held;
  }
}
