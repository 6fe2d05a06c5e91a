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
  copied: number;
  /** Blobs a row names that the folder does not hold: their links answered 404 already. */
  missing: number;
}

export async function copyBlobs(sql: SQL, source: CopySource): Promise<BlobsCopied> {
  const dir = join(dirname(source.path), "files");
  const named = namedBlobs(source);
  if (named.size === 0) return { dir, copied: 0, missing: 0 };
  await migratePostgres(sql);
  const rows = postgresBlobs(sql);
  const blobs = new DbBlobs(rows, UNNAMED_GRACE_MS);
  let [copied, missing] = [0, 0];
  for (const sha256 of named) {
    const path = join(dir, sha256);
    if (!existsSync(path)) missing++;
    else if (!(await rows.find(sha256))) {
      const written = await blobs.write(Bun.file(path).stream(), () => true);
      // A blob is named by its hash: one whose bytes are not it was damaged on disk.
      if (written.sha256 !== sha256) throw new CopyRefused(`${path} does not hold the bytes of its name (SHA-256 ${written.sha256})`);
      copied++;
    }
  }
  return { dir, copied, missing };
}

function namedBlobs(source: CopySource): Set<string> {
  const files = COPIED_TABLES.find((t) => t.name === "files");
  const named = new Set<string>();
  if (!files) return named;
  for (const page of source.pages(files)) for (const row of page) named.add(String(row.sha256));
  return named;
}
