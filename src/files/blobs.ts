/**
 * A file's bytes on disk, content-addressed: `<dir>/<sha256>`. A file streams into `<dir>/tmp/`
 * (counted and hashed as it comes, never held whole), is fsynced, then renamed to its hash: a
 * rename is atomic (POSIX rename(2)), so a path under `<dir>` is always a whole file, and a crash
 * or a full disk mid-upload leaves only a temporary file, removed at the next start.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
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
}

const HEX = /^[0-9a-f]{64}$/;

export class Blobs {
  readonly #tmp: string;

  /**
   * `graceMs`: how old a file must be before a sweep removes it unnamed. Another gateway on the
   * same store (replicas) may be between writing a blob and naming it in its row.
   */
  constructor(
    readonly dir: string,
    readonly graceMs: number,
  ) {
    this.#tmp = join(dir, "tmp");
    mkdirSync(this.#tmp, { recursive: true, mode: 0o700 });
    // Left by a crash or a full disk: never served, never counted.
    for (const name of readdirSync(this.#tmp)) if (this.#settled(join(this.#tmp, name))) rmSync(join(this.#tmp, name), { force: true });
  }

  /** Removes a blob no row names, unless it was written within the grace. */
  removeUnnamed(sha256: string): void {
    if (this.#settled(this.path(sha256))) rmSync(this.path(sha256), { force: true });
  }

  #settled(path: string): boolean {
    try {
      return statSync(path).mtimeMs <= Date.now() - this.graceMs;
    } catch {
      return false; // gone already
    }
  }

  path(sha256: string): string {
    return join(this.dir, sha256);
  }

  /** The hashes on disk (a sweep removes those no row names). */
  list(): string[] {
    return readdirSync(this.dir).filter((name) => HEX.test(name));
  }

  /**
   * Streams `body` to disk. `admit(total)` is asked after each chunk with the bytes so far and
   * returns false to cut it (the file limit, the quota): the body is cancelled, the temporary
   * file removed, and BlobCut("limit") thrown.
   */
  async write(body: ReadableStream<Uint8Array>, admit: (total: number) => boolean): Promise<WrittenBlob> {
    const tmp = join(this.#tmp, randomBytes(16).toString("hex"));
    const hash = createHash("sha256");
    const head = new HeadBuffer();
    let size = 0;
    const file = await open(tmp, "wx", 0o600).catch((err: unknown) => Promise.reject(cut(err)));
    const reader = body.getReader();
    try {
      const next = () => reader.read().catch((err: unknown) => Promise.reject(new BlobCut("body", err)));
      for (let chunk = await next(); !chunk.done; chunk = await next()) {
        size += chunk.value.byteLength;
        if (!admit(size)) throw new BlobCut("limit");
        hash.update(chunk.value);
        head.add(chunk.value);
        await writeAll(file, chunk.value);
      }
      await file.sync();
      // What is on disk is what was hashed, or the file is not named by that hash.
      if ((await file.stat()).size !== size) throw new BlobCut("failed", new Error(`wrote a different size than the ${size} bytes hashed`));
      await file.close();
      const sha256 = hash.digest("hex");
      await rename(tmp, this.path(sha256));
      return { sha256, size, head: head.bytes() };
    } catch (err) {
      void reader.cancel().catch(() => {});
      await file.close().catch(() => {});
      await rm(tmp, { force: true });
      throw cut(err);
    }
  }
}

/**
 * Writes every byte of `bytes`: write(2) may write fewer than asked without an error (a disk that
 * fills mid-write answers a short count; ENOSPC comes only at the next write), so it is called
 * again for the rest, and a write that takes nothing is a full disk.
 */
async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.byteLength; ) {
    const { bytesWritten } = await file.write(bytes, done, bytes.byteLength - done);
    if (bytesWritten <= 0) throw new BlobCut("disk-full");
    done += bytesWritten;
  }
}

function cut(err: unknown): BlobCut {
  if (err instanceof BlobCut) return err;
  const code = (err as { code?: unknown } | null)?.code;
  return new BlobCut(code === "ENOSPC" || code === "EDQUOT" ? "disk-full" : "failed", err);
}

/** The first SNIFF_BYTES bytes of a stream, copied (chunks may be reused by their producer). */
class HeadBuffer {
  readonly #buf = new Uint8Array(SNIFF_BYTES);
  #length = 0;

  add(chunk: Uint8Array): void {
    const room = SNIFF_BYTES - this.#length;
    if (room <= 0) return;
    const part = chunk.subarray(0, room);
    this.#buf.set(part, this.#length);
    this.#length += part.byteLength;
  }

  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#length);
  }
}
