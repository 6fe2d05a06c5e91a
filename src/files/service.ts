/**
 * The files of one generation: the FilesPort the formats attach through, with the generation's
 * limits (attachments:), over the store that outlives it. Each limit is a GatewayError the
 * format answers in its own shape: FILE_TOO_LARGE (declared or cut while streaming), FILES_RATE,
 * FILES_QUOTA, FILES_STORE_FULL (the disk), UPLOAD_FAILED (the server's upload service).
 */
import { GatewayError } from "../plugin-api/errors.ts";
import type { Logger } from "../log.ts";
import { storeUnavailable } from "../store/unavailable.ts";
import { BlobCut, type BlobStore } from "./blob-store.ts";
import { fileRate, type FileRate, type Taken } from "./rate.ts";
import { expireSeconds, type AttachmentsConfig } from "./schema.ts";
import type { FileRow, FileStore } from "./store.ts";
import type { Attachment, FilesPort, IncomingFile, StoredFile } from "./types.ts";
import type { Uploader } from "./uploader.ts";

/** What the serving feature needs besides the port. */
export interface FilesService extends FilesPort {
  readonly settings: AttachmentsConfig;
  readonly store: FileStore<BlobStore>;
}

export interface FilesDeps {
  settings: AttachmentsConfig;
  store: FileStore<BlobStore>;
  /** http.public_url, without its trailing slash. */
  publicUrl: string;
  /** Where a failed write says why (the sender is told only that it failed). */
  log: Logger;
  /** `upload: xep0363`: the server's upload service (absent: files are served from here). */
  uploader?: Uploader | undefined;
  /** `remote.fetch: true`: fetches and stores a URL (files/remote.ts); absent: a URL stays a link. */
  fetchRemote?: ((url: string, sender: string, name?: string) => Promise<IncomingFile>) | undefined;
}

export function filesService(deps: FilesDeps): FilesService {
  return new Files(deps);
}

class Files implements FilesService {
  readonly settings: AttachmentsConfig;
  readonly store: FileStore<BlobStore>;
  readonly #rate: FileRate;
  readonly #ttlS: number;

  constructor(readonly deps: FilesDeps) {
    this.settings = deps.settings;
    this.store = deps.store;
    this.#rate = fileRate(deps.settings.rate);
    this.#ttlS = expireSeconds(deps.settings.expire);
  }

  async put(file: IncomingFile, sender: string): Promise<StoredFile> {
    return this.#kept(this.#take(sender, file), file);
  }

  async remote(url: string, sender: string, name?: string): Promise<Attachment> {
    const fetchRemote = this.settings.remote.fetch ? this.deps.fetchRemote : undefined;
    if (!fetchRemote) return { kind: "link", url, name };
    // Before the fetch: a sender past its rate, or a store without room, costs the remote server nothing.
    const taken = this.#take(sender);
    const file = await fetchRemote(url, sender, name).catch((err: unknown) => {
      taken.giveBack();
      throw err;
    });
    return { kind: "file", file: await this.#kept(taken, file) };
  }

  async forget(files: readonly StoredFile[]): Promise<void> {
    for (const file of files) await this.store.forget(file.id);
  }

  /**
   * What is refused before a byte is read (or fetched), in this order: a declared size over the
   * limit (the sender's own mistake); a store with no room even for bytes it holds already (a
   * 507 is everyone's, and a 429 would only send the sender back to it); then the sender's rate,
   * taken last so that nothing refused before counts, and given back by #kept if the file is
   * refused later.
   */
  #take(sender: string, file?: IncomingFile): Taken {
    try {
      const { max_file_bytes: max, quota_bytes: quota } = this.settings;
      const declared = file?.declaredSize;
      if (declared !== undefined && declared > max) throw tooLarge(max);
      if (this.store.used() + (declared ?? 1) > quota + max) throw quotaReached(quota);
      const taken = this.#rate.take(sender);
      if ("wait" in taken) throw rateReached(taken.wait);
      return taken;
    } catch (err) {
      void file?.body.cancel().catch(() => {});
      throw err;
    }
  }

  /** Stores the file; one refused after all gives the sender's place back: only files kept count against the rate. */
  async #kept(taken: Taken, file: IncomingFile): Promise<StoredFile> {
    try {
      const max = this.settings.max_file_bytes;
      // A fetched file's size is declared only once it is fetched.
      if ((file.declaredSize ?? 0) > max) {
        void file.body.cancel().catch(() => {});
        throw tooLarge(max);
      }
      const row = await this.#stored(file);
      return await (this.deps.uploader ? this.#upload(row, this.deps.uploader) : this.#local(row));
    } catch (err) {
      taken.giveBack();
      throw err;
    }
  }

  /**
   * Streams it in, cut as it passes the file limit. The quota is judged once the file is whole:
   * bytes the store holds already are kept once and add nothing (a camera sending the same
   * frame); until then, what streams in past the quota is held to one file's limit in all.
   */
  async #stored(file: IncomingFile): Promise<FileRow> {
    const { max_file_bytes: max, quota_bytes: quota } = this.settings;
    let over: GatewayError | undefined;
    const admit = (total: number, others: number) => {
      if (total > max) over = tooLarge(max);
      else if (others + total > quota + max) over = quotaReached(quota);
      return over === undefined;
    };
    const fits = (added: number, stored: number) => {
      if (stored + added > quota) over = quotaReached(quota);
      return over === undefined;
    };
    try {
      return await this.store.add(file.body, file.name, this.#ttlS, admit, fits);
    } catch (err) {
      // The front door's own cut of a chunked body (fileBodyLimit) can come first: the file is what was too large.
      const frontDoor = err instanceof BlobCut && err.cause instanceof GatewayError && err.cause.code === "BODY_TOO_LARGE";
      throw over ?? (frontDoor ? tooLarge(max) : writeFailure(err, this.deps.log));
    }
  }

  #local(row: FileRow): StoredFile {
    return { ...fileOf(row), url: urlOf(this.deps.publicUrl, this.settings.path, row) };
  }

  /** `upload: xep0363`: the server keeps it; when its service fails, `fallback` says local or UPLOAD_FAILED. */
  async #upload(row: FileRow, uploader: Uploader): Promise<StoredFile> {
    try {
      // The uploader PUTs a file with its length: a blob kept in the store is copied to one for it.
      const url = await this.store.blobs.withFile(row.sha256, (path) => uploader.upload({ ...fileOf(row), path }));
      await this.store.forget(row.id);
      return { ...fileOf(row), url };
    } catch (err) {
      if (this.settings.fallback === "local") return this.#local(row);
      await this.store.forget(row.id);
      // The XEP-0363 uploader says why in its own UPLOAD_FAILED; the sender's answer keeps that sentence.
      if (err instanceof GatewayError && err.code === "UPLOAD_FAILED") throw err;
      throw new GatewayError("UPLOAD_FAILED", undefined, { details: { reason: err instanceof Error ? err.message : String(err) } });
    }
  }
}

/**
 * What the front door lets into a route that takes files (RouteOptions.maxBodyBytes): a file at
 * the limit with room for a multipart body's other fields and headers. The file itself is held
 * to max_file_bytes as it streams (FILE_TOO_LARGE).
 */
const FILE_BODY_MARGIN = 1_048_576;
export const fileBodyLimit = (settings: { max_file_bytes: number }): number => settings.max_file_bytes + FILE_BODY_MARGIN;

function fileOf(row: FileRow): Omit<StoredFile, "url"> {
  return { id: row.id, name: row.name, type: row.type, size: row.size, sha256: row.sha256 };
}

/** `<public_url><path>/<id>/<name>`: the name in the URL is what a client saves the file as. */
function urlOf(publicUrl: string, path: string, row: { id: string; name: string }): string {
  return `${publicUrl.replace(/\/+$/, "")}${path}/${row.id}/${encodeURIComponent(row.name)}`;
}

const tooLarge = (max: number) =>
  new GatewayError("FILE_TOO_LARGE", `The file is larger than ${max} bytes (attachments.max_file_bytes)`, { details: { max_bytes: max } });

const rateReached = (wait: number) =>
  new GatewayError("FILES_RATE", undefined, { headers: { "retry-after": String(wait) }, details: { retry_after_s: wait } });

const quotaReached = (quota: number) => new GatewayError("FILES_QUOTA", undefined, { details: { quota_bytes: quota } });

function writeFailure(err: unknown, log: Logger): GatewayError {
  if (err instanceof BlobCut && err.reason === "disk-full") return new GatewayError("FILES_STORE_FULL");
  if (err instanceof BlobCut && err.reason === "body") {
    // A reader of the format (multipart) says what was wrong; a stream that broke off is the sender's.
    if (err.cause instanceof GatewayError) return err.cause;
    return new GatewayError("BAD_REQUEST", "The file ended before it was whole (the upload was cut off)");
  }
  if (err instanceof GatewayError) return err;
  // Why names the server's paths (EROFS: ... open '/var/lib/...'): the log has it, the sender only that it failed.
  const cause = err instanceof BlobCut ? err.cause : err;
  log.warn("a file could not be written to the store", { err: cause instanceof Error ? cause.message : String(cause) });
  return storeUnavailable(undefined, "The file could not be written to the store");
}
