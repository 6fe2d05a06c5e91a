/**
 * A file's bytes on disk, the BlobStore (blob-store.ts) beside a SQLite store, content-addressed:
 * `<dir>/<sha256>`. A file streams into `<dir>/tmp/` (counted and hashed as it comes, never held
 * whole), is fsynced, then renamed to its hash: a rename is atomic (POSIX rename(2)), so a path
 * under `<dir>` is always a whole file, and a crash or a full disk mid-upload leaves only a
 * temporary file, removed at the next start.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { BlobCut, BlobTally, type BlobStore, type ByteRange, type WrittenBlob, bodyChunks, cut } from "./blob-store.ts";

const HEX = /^[0-9a-f]{64}$/;

export class Blobs implements BlobStore {
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

  async removeUnnamed(sha256: string): Promise<void> {
    if (this.#settled(this.path(sha256))) rmSync(this.path(sha256), { force: true });
  }

  async remove(blob: WrittenBlob): Promise<void> {
    rmSync(this.path(blob.sha256), { force: true });
  }

  async has(sha256: string): Promise<boolean> {
    return existsSync(this.path(sha256));
  }

  /** Bun.file: the server sends it from the file itself (sendfile(2) where it can). */
  async read(sha256: string, range?: ByteRange): Promise<Blob | undefined> {
    if (!existsSync(this.path(sha256))) return undefined;
    const file = Bun.file(this.path(sha256));
    return range ? file.slice(range.start, range.end + 1) : file;
  }

  /** Done when it starts (the constructor): a temporary file under way is this process's own. */
  async sweepCut(): Promise<void> {}

  withFile<T>(sha256: string, use: (path: string) => Promise<T>): Promise<T> {
    return use(this.path(sha256));
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

  async list(): Promise<string[]> {
    return readdirSync(this.dir).filter((name) => HEX.test(name));
  }

  /** Streams `body` to a temporary file, fsynced, then renamed to its hash (see the top). */
  async write(body: ReadableStream<Uint8Array>, admit: (total: number) => boolean): Promise<WrittenBlob> {
    const tmp = join(this.#tmp, randomBytes(16).toString("hex"));
    const tally = new BlobTally();
    const file = await open(tmp, "wx", 0o600).catch((err: unknown) => Promise.reject(cut(err)));
    try {
      for await (const chunk of bodyChunks(body)) {
        if (!admit(tally.size + chunk.byteLength)) throw new BlobCut("limit");
        tally.add(chunk);
        await writeAll(file, chunk);
      }
      await file.sync();
      // What is on disk is what was hashed, or the file is not named by that hash.
      if ((await file.stat()).size !== tally.size)
        throw new BlobCut("failed", new Error(`wrote a different size than the ${tally.size} bytes hashed`));
      await file.close();
      const blob = tally.written();
      await rename(tmp, this.path(blob.sha256));
      return blob;
    } catch (err) {
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
