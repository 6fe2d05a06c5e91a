/**
 * The file store: blobs on disk (blobs.ts) and one row per file sent in the gateway's SQLite
 * store, which names the blob, the safe name, the sniffed type and when the link dies. Two
 * senders sending the same bytes share one blob (content addressing), each with its own id, name
 * and expiry; a blob goes when no row names it any more.
 */
import type { Database } from "bun:sqlite";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { BlobCut, Blobs, type WrittenBlob } from "./blobs.ts";
import { safeName } from "./names.ts";
import { sniffType } from "./sniff.ts";

/** The files table (store/db.ts runs it once as a migration). */
export const FILES_TABLE = `CREATE TABLE files (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  size INTEGER NOT NULL,
  stored_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX files_by_expiry ON files (expires_at);
CREATE INDEX files_by_blob ON files (sha256);`;

/** A file row: what serving it needs. */
export interface FileRow {
  id: string;
  sha256: string;
  name: string;
  type: string;
  size: number;
  stored_at: number;
  expires_at: number;
}

/** Far longer than any upload between its rename and its row, far shorter than any expiry. */
const UNNAMED_GRACE_MS = 10 * 60_000;

/** 128 random bits (hex): an id nobody guesses, so a link is as private as the chat it is in. */
const newFileId = (): string => randomBytes(16).toString("hex");

export class FileStore {
  readonly blobs: Blobs;
  /** Bytes being written now, not yet in a row: counted against the quota too. */
  #inFlight = 0;
  /** Blobs renamed into place whose row is not written yet: a sweep leaves them. */
  readonly #landing = new Map<string, number>();

  /** `graceMs`: a file younger than this is never swept unnamed (blobs.ts); tests give 0. */
  constructor(
    readonly db: Database,
    dir: string,
    readonly now: () => number = Date.now,
    graceMs = UNNAMED_GRACE_MS,
  ) {
    this.blobs = new Blobs(dir, graceMs);
    this.sweep();
  }

  /** Bytes of every blob (each counted once) plus those streaming in. */
  used(): number {
    return this.#storedBytes() + this.#inFlight;
  }

  #storedBytes(): number {
    // Asked at every chunk of every upload: the stored part is summed again only after a change.
    this.#stored ??=
      this.db.query<{ total: number | null }, []>("SELECT sum(size) AS total FROM (SELECT DISTINCT sha256, size FROM files)").get()
        ?.total ?? 0;
    return this.#stored;
  }

  /** Whether a row names these bytes already: a file of them adds nothing to the store. */
  #named(sha256: string): boolean {
    return this.db.query("SELECT 1 FROM files WHERE sha256 = ? LIMIT 1").get(sha256) !== null;
  }

  /** The stored bytes, undefined when a row was added or removed since they were summed. */
  #stored: number | undefined;

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
    return this.#index(blob, rawName, ttlS, fits);
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
      // Checked with the row's insert, nothing awaited between: two files of the same new bytes count them once.
      refused = !fits(this.#named(blob.sha256) ? 0 : blob.size, this.#storedBytes());
      if (refused) throw new BlobCut("limit");
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
      this.db
        .query("INSERT INTO files (id, sha256, name, type, size, stored_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .run(row.id, row.sha256, row.name, row.type, row.size, row.stored_at, row.expires_at);
      this.#stored = undefined;
      return row;
    } finally {
      const left = (this.#landing.get(blob.sha256) ?? 1) - 1;
      if (left > 0) this.#landing.set(blob.sha256, left);
      else this.#landing.delete(blob.sha256);
      // Refused bytes are not left on disk for a sweep ten minutes later: the quota bounds the disk.
      if (refused && left <= 0 && !this.#named(blob.sha256)) rmSync(this.blobs.path(blob.sha256), { force: true });
    }
  }

  /** A file still served: its row unexpired and its blob on disk. */
  find(id: string): FileRow | undefined {
    const row = this.db.query<FileRow, [string, number]>("SELECT * FROM files WHERE id = ? AND expires_at > ?").get(id, this.now());
    return row && existsSync(this.blobs.path(row.sha256)) ? row : undefined;
  }

  /** Forgets one file (an upload service took it instead, or its request was refused); its blob goes with its last row. */
  forget(id: string): void {
    this.db.query("DELETE FROM files WHERE id = ?").run(id);
    this.#stored = undefined;
    this.sweep();
  }

  /** Removes expired rows, then every blob no row names (nor a write about to name). */
  sweep(): void {
    this.db.query("DELETE FROM files WHERE expires_at <= ?").run(this.now());
    this.#stored = undefined;
    const named = new Set(
      this.db
        .query<{ sha256: string }, []>("SELECT DISTINCT sha256 FROM files")
        .all()
        .map((r) => r.sha256),
    );
    for (const sha256 of this.blobs.list()) if (!named.has(sha256) && !this.#landing.has(sha256)) this.blobs.removeUnnamed(sha256);
  }
}
