/**
 * The file store: blobs (blob-store.ts: on disk beside a SQLite store, in a PostgreSQL store
 * itself) and one row per file sent in the gateway's store (store/types.ts FileRows), which
 * names the blob, the safe name, the sniffed type and when the link dies. Two senders sending the
 * same bytes share one blob (content addressing), each with its own id, name and expiry; a blob
 * goes when no row names it any more.
 */
import { randomBytes } from "node:crypto";
import type { FileRow, Store } from "../store/types.ts";
import { BlobCut, type BlobStore, type WrittenBlob } from "./blob-store.ts";
import { Blobs } from "./blobs.ts";
import { safeName } from "./names.ts";
import { sniffType } from "./sniff.ts";

export type { FileRow };

/** Far longer than any upload between its rename and its row, far shorter than any expiry. */
export const UNNAMED_GRACE_MS = 10 * 60_000;

/** 128 random bits (hex): an id nobody guesses, so a link is as private as the chat it is in. */
const newFileId = (): string => randomBytes(16).toString("hex");

export class FileStore<B extends BlobStore = Blobs> {
  readonly blobs: B;
  /** Bytes being written now, not yet in a row: counted against the quota too. */
  #inFlight = 0;
  /** Blobs renamed into place whose row is not written yet: a sweep leaves them. */
  readonly #landing = new Map<string, number>();
  /** The bytes the rows name (each blob once), summed again after a row goes. */
  #stored = 0;
  /** The first sweep and sum; every change waits for it. */
  readonly #ready: Promise<void>;
  /** Checking a file's room and writing its row, one file at a time (see #index). */
  #indexing: Promise<unknown> = Promise.resolve();

  /** Blobs on disk in `dir`; `graceMs`: a file younger than this is never swept unnamed (blobs.ts); tests give 0. */
  constructor(store: Store, dir: string, now?: () => number, graceMs?: number);
  /** Blobs kept elsewhere (db-blobs.ts: in the store), with their own grace. */
  constructor(store: Store, blobs: B, now?: () => number);
  constructor(
    readonly store: Store,
    where: string | B,
    readonly now: () => number = Date.now,
    graceMs = UNNAMED_GRACE_MS,
  ) {
    // A folder is what the first signature gives: Blobs, B's default.
    this.blobs = typeof where === "string" ? (new Blobs(where, graceMs) as BlobStore as B) : where;
    // A store that fails here fails again at the next sweep or row, where it is reported.
    this.#ready = this.sweep().catch(() => {});
  }

  /**
   * Resolves once the first sweep (started by the constructor) is done. Before that, a store whose
   * blobs have no grace (tests) may still forget an upload another replica has under way.
   */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** Bytes of every blob (each counted once) plus those streaming in. */
  used(): number {
    return this.#stored + this.#inFlight;
  }

  /**
   * Streams `body` in; `admit(total, others)` cuts it (see Blobs.write), `others` being what the
   * store holds besides this file. Once the blob is whole, `fits(added, stored)` says whether it
   * is kept: `added` is 0 when a row names the same bytes already, `stored` what the rows hold;
   * a file it refuses (BlobCut "limit") leaves no blob of its own. The row is written once the
   * blob is whole: an id is never served before its bytes are all on disk.
   */
  async add(
    body: ReadableStream<Uint8Array>,
    rawName: string | undefined,
    ttlS: number,
    admit: (total: number, others: number) => boolean,
    fits: (added: number, stored: number) => boolean = () => true,
  ): Promise<FileRow> {
    await this.#ready;
    let counted = 0;
    const blob = await this.blobs
      .write(body, (total) => {
        if (!admit(total, this.used() - counted)) return false;
        this.#inFlight += total - counted;
        counted = total;
        return true;
      })
      .finally(() => {
        this.#inFlight -= counted;
      });
    // Two files of the same new bytes must count them once: their checks and rows go one at a time.
    const indexed = this.#indexing.then(() => this.#index(blob, rawName, ttlS, fits));
    this.#indexing = indexed.catch(() => {});
    return indexed;
  }

  async #index(
    blob: WrittenBlob,
    rawName: string | undefined,
    ttlS: number,
    fits: (added: number, stored: number) => boolean,
  ): Promise<FileRow> {
    this.#landing.set(blob.sha256, (this.#landing.get(blob.sha256) ?? 0) + 1);
    let refused = false;
    try {
      const sniffed = await sniffType(blob.head);
      const now = this.now();
      const row: FileRow = {
        id: newFileId(),
        sha256: blob.sha256,
        name: safeName(rawName, sniffed.ext),
        type: sniffed.type,
        size: blob.size,
        stored_at: now,
        expires_at: now + ttlS * 1000,
      };
      // Judged against what every gateway on the store holds, one file at a time across them.
      const { inserted, stored } = await this.store.files.insertIfRoom(row, fits);
      this.#stored = stored;
      refused = !inserted;
      if (refused) throw new BlobCut("limit");
      return row;
    } finally {
      const left = (this.#landing.get(blob.sha256) ?? 1) - 1;
      if (left > 0) this.#landing.set(blob.sha256, left);
      else this.#landing.delete(blob.sha256);
      // Refused bytes are not left on disk for a sweep ten minutes later: the quota bounds the disk.
      if (refused && left <= 0 && !(await this.store.files.names(blob.sha256))) await this.blobs.remove(blob);
    }
  }

  /** A file still served: its row unexpired and its blob there. */
  async find(id: string): Promise<FileRow | undefined> {
    const row = await this.store.files.find(id, this.now());
    return row && (await this.blobs.has(row.sha256)) ? row : undefined;
  }

  /** Forgets one file (an upload service took it instead, or its request was refused); its blob goes with its last row. */
  async forget(id: string): Promise<void> {
    await this.store.files.delete(id);
    await this.sweep();
  }

  /** Removes expired rows, then every blob no row names (nor a write about to name). */
  async sweep(): Promise<void> {
    // The blobs there when the sweep starts: one written while the store answers is not its to judge.
    const present = await this.blobs.list();
    await this.store.files.expire(this.now());
    this.#stored = await this.store.files.storedBytes();
    const named = await this.store.files.blobs();
    for (const sha256 of present) if (!named.has(sha256) && !this.#landing.has(sha256)) await this.blobs.removeUnnamed(sha256);
    await this.blobs.sweepCut();
  }
}
