/**
 * The files a generation's routes attach: on when http.public_url is set. The store (rows in the
 * gateway's database; blobs in the files/ folder beside a SQLite file, in a PostgreSQL store
 * itself, which every replica reads) outlives the generation, as the outbox does; the limits are
 * the generation's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { DbBlobs } from "../files/db-blobs.ts";
import { filesService, type FilesService } from "../files/service.ts";
import { remoteFetcher } from "../files/remote.ts";
import { FileStore, UNNAMED_GRACE_MS } from "../files/store.ts";
import { createXep0363Uploader } from "../files/xep0363/uploader.ts";
import type { BlobStore } from "../files/blob-store.ts";
import type { GenerationDeps } from "./deps.ts";

/** Its key among what the gateway keeps across generations (a name no feature has). */
const KEPT = "(files)";

export function generationFiles(deps: GenerationDeps): FilesService | undefined {
  const { config } = deps;
  if (config.http.public_url === undefined) return undefined;
  if (!deps.kept.has(KEPT)) deps.kept.set(KEPT, fileStore(deps));
  return filesService({
    settings: config.attachments,
    store: deps.kept.get(KEPT) as FileStore<BlobStore>,
    publicUrl: config.http.public_url,
    log: deps.log,
    uploader: config.attachments.upload === "xep0363" ? xep0363(deps) : undefined,
    fetchRemote: remoteFetcher(config.attachments.remote),
  });
}

/** The server's upload service, asked by the component as itself (docs/files-xep0363.md). */
function xep0363(deps: GenerationDeps) {
  const { component, host } = deps.config.xmpp;
  return createXep0363Uploader(
    { component, host, request: (iq, timeoutMs) => deps.link.request(iq, timeoutMs) },
    { fetch: deps.fetch, log: deps.log },
  );
}

/** The blobs go where the store says: into it if it keeps them (PostgreSQL), else beside its file. */
function fileStore({ store, config, kept }: GenerationDeps): FileStore<BlobStore> {
  if (store.blobs) return new FileStore(store, new DbBlobs(store.blobs, UNNAMED_GRACE_MS));
  return new FileStore(store, filesDir(config.store, kept));
}

/**
 * `<dir of the store file>/files`; a store in memory keeps its files in a temporary folder, which
 * the gateway removes when it stops (app.ts disposes what it kept): the rows naming them die with it.
 */
function filesDir(store: string, kept: GenerationDeps["kept"]): string {
  if (store !== ":memory:") return join(dirname(resolve(store)), "files");
  const dir = mkdtempSync(join(tmpdir(), "stanzagate-files-"));
  const folder: Disposable = { [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
  kept.set(`${KEPT} folder`, folder);
  return dir;
}
