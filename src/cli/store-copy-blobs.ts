/**
 * The files' bytes in `stanzagate store copy`: a PostgreSQL store keeps them itself
 * (files/db-blobs.ts), so each blob the source's files rows name is streamed from the `files/`
 * folder next to the SQLite file into it, before the rows' transaction (store/copy/target.ts).
 * Should the copy fail, blobs no row names are unseen, and a gateway's sweep forgets them after
 * its grace; a blob already there (a copy run again) is kept as it is.
 */
import type { SQL } from "bun";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { DbBlobs } from "../files/db-blobs.ts";
import { UNNAMED_GRACE_MS } from "../files/store.ts";
import { CopyRefused, type CopySource } from "../store/copy/source.ts";
import { COPIED_TABLES } from "../store/copy/tables.ts";
import { postgresBlobs } from "../store/postgres/blobs.ts";
import { migratePostgres } from "../store/postgres/migrations.ts";

export interface BlobsCopied {
  dir: string;
  /** Whether the folder exists (moved away after an earlier copy, say). */
  found: boolean;
  copied: number;
  /** Blobs a row names that PostgreSQL held already (an earlier copy): kept as they are. */
  held: number;
  /** Blobs a row names that neither the folder nor PostgreSQL holds: their links answer 404. */
  missing: number;
}

export async function copyBlobs(sql: SQL, source: CopySource): Promise<BlobsCopied> {
  const dir = join(dirname(source.path), "files");
  const named = namedBlobs(source);
  const found = existsSync(dir);
  if (named.size === 0) return { dir, found, copied: 0, held: 0, missing: 0 };
  await migratePostgres(sql);
  const rows = postgresBlobs(sql);
  const blobs = new DbBlobs(rows, UNNAMED_GRACE_MS);
  let [copied, held, missing] = [0, 0, 0];
  for (const sha256 of named) {
    const path = join(dir, sha256);
    if (await rows.find(sha256)) held++;
    else if (!existsSync(path)) missing++;
    else {
      const written = await blobs.write(Bun.file(path).stream(), () => true);
      // A blob is named by its hash: one whose bytes are not it was damaged on disk.
      if (written.sha256 !== sha256) throw new CopyRefused(`${path} does not hold the bytes of its name (SHA-256 ${written.sha256})`);
      copied++;
    }
  }
  return { dir, found, copied, held, missing };
}

/** The summary's files line: what was copied, kept, and lacking, without guessing what links answered before. */
export function filesLine(blobs: BlobsCopied): string {
  const from = blobs.found ? `their bytes copied from ${blobs.dir} into PostgreSQL (${blobs.copied} new)` : `no folder ${blobs.dir}`;
  const held = blobs.held > 0 ? `; ${blobs.held} already in PostgreSQL, kept` : "";
  const missing =
    blobs.missing > 0
      ? `; ${blobs.missing} named by a row ${blobs.missing === 1 ? "is" : "are"} neither there nor in PostgreSQL: their links answer 404`
      : "";
  return `files: ${from}${held}${missing}`;
}

function namedBlobs(source: CopySource): Set<string> {
  const files = COPIED_TABLES.find((t) => t.name === "files");
  const named = new Set<string>();
  if (!files) return named;
  for (const page of source.pages(files)) for (const row of page) named.add(String(row.sha256));
  return named;
}
