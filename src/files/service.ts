/**
 * The files of one generation: the FilesPort the formats attach through, with the generation's
 * limits (attachments:), over the store that outlives it. Each limit is a GatewayError the
 * format answers in its own shape: FILE_TOO_LARGE (declared or cut while streaming), FILES_RATE,
 * FILES_QUOTA, FILES_STORE_FULL (the disk), UPLOAD_FAILED (the server's upload service).
 */
import { GatewayError } from "../plugin-api/errors.ts";
import { BlobCut } from "./blobs.ts";
import { fileRate } from "./rate.ts";
import { expireSeconds, type AttachmentsConfig } from "./schema.ts";
import type { FileRow, FileStore } from "./store.ts";
import type { Attachment, FilesPort, IncomingFile, StoredFile } from "./types.ts";
import type { Uploader } from "./uploader.ts";

/** What the serving feature needs besides the port. */
export interface FilesService extends FilesPort {
  readonly settings: AttachmentsConfig;
  readonly store: FileStore;
}

export interface FilesDeps {
  settings: AttachmentsConfig;
  store: FileStore;
  /** http.public_url, without its trailing slash. */
  publicUrl: string;
  /** `upload: xep0363`: the server's upload service (absent: files are served from here). */
  uploader?: Uploader | undefined;
  /** `remote.fetch: true`: fetches and stores a URL (files/remote.ts); absent: a URL stays a link. */
  fetchRemote?: ((url: string, sender: string, name?: string) => Promise<IncomingFile>) | undefined;
}

export function filesService(deps: FilesDeps): FilesService {
  const { settings, store } = deps;
  const rate = fileRate(settings.rate);
  const ttlS = expireSeconds(settings.expire);
  const put = async (file: IncomingFile, sender: string): Promise<StoredFile> => {
    const refused = refusal(file, sender);
    if (refused) {
      void file.body.cancel().catch(() => {});
      throw refused;
    }
    const row = await stored(file);
    return deps.uploader ? upload(row) : local(row);
  };
  const refusal = (file: IncomingFile, sender: string): GatewayError | undefined => {
    if (file.declaredSize !== undefined && file.declaredSize > settings.max_file_bytes) return tooLarge(settings.max_file_bytes);
    const wait = rate.take(sender);
    if (wait !== undefined) {
      return new GatewayError("FILES_RATE", undefined, { headers: { "retry-after": String(wait) }, details: { retry_after_s: wait } });
    }
    if (store.used() + (file.declaredSize ?? 1) > settings.quota_bytes) return quotaReached(settings.quota_bytes);
    return undefined;
  };
  const stored = async (file: IncomingFile): Promise<FileRow> => {
    let over: GatewayError | undefined;
    const admit = (total: number, others: number) => {
      if (total > settings.max_file_bytes) over = tooLarge(settings.max_file_bytes);
      else if (others + total > settings.quota_bytes) over = quotaReached(settings.quota_bytes);
      return over === undefined;
    };
    try {
      return await store.add(file.body, file.name, ttlS, admit);
    } catch (err) {
      throw over ?? writeFailure(err);
    }
  };
  const local = (row: FileRow): StoredFile => ({ ...fileOf(row), url: urlOf(deps.publicUrl, settings.path, row) });
  const upload = async (row: FileRow): Promise<StoredFile> => {
    try {
      const url = await (deps.uploader as Uploader).upload({ ...fileOf(row), path: store.blobs.path(row.sha256) });
      store.forget(row.id);
      return { ...fileOf(row), url };
    } catch (err) {
      if (settings.fallback === "local") return local(row);
      store.forget(row.id);
      throw new GatewayError("UPLOAD_FAILED", undefined, { details: { reason: err instanceof Error ? err.message : String(err) } });
    }
  };
  return {
    settings,
    store,
    put,
    async remote(url, sender, name): Promise<Attachment> {
      if (!settings.remote.fetch || !deps.fetchRemote) return { kind: "link", url, name };
      return { kind: "file", file: await put(await deps.fetchRemote(url, sender, name), sender) };
    },
  };
}

/**
 * What the front door lets into a route that takes files (RouteOptions.maxBodyBytes): a file at
 * the limit with room for a multipart body's other fields and headers. The file itself is held
 * to max_file_bytes as it streams (FILE_TOO_LARGE).
 */
export const FILE_BODY_MARGIN = 1_048_576;
export const fileBodyLimit = (settings: { max_file_bytes: number }): number => settings.max_file_bytes + FILE_BODY_MARGIN;

function fileOf(row: FileRow): Omit<StoredFile, "url"> {
  return { id: row.id, name: row.name, type: row.type, size: row.size, sha256: row.sha256 };
}

/** `<public_url><path>/<id>/<name>`: the name in the URL is what a client saves the file as. */
export function urlOf(publicUrl: string, path: string, row: { id: string; name: string }): string {
  return `${publicUrl.replace(/\/+$/, "")}${path}/${row.id}/${encodeURIComponent(row.name)}`;
}

const tooLarge = (max: number) =>
  new GatewayError("FILE_TOO_LARGE", `The file is larger than ${max} bytes (attachments.max_file_bytes)`, { details: { max_bytes: max } });

const quotaReached = (quota: number) => new GatewayError("FILES_QUOTA", undefined, { details: { quota_bytes: quota } });

function writeFailure(err: unknown): GatewayError {
  if (err instanceof BlobCut && err.reason === "disk-full") return new GatewayError("FILES_STORE_FULL");
  if (err instanceof BlobCut && err.reason === "body") {
    // A reader of the format (multipart) says what was wrong; a stream that broke off is the sender's.
    if (err.cause instanceof GatewayError) return err.cause;
    return new GatewayError("BAD_REQUEST", "The file ended before it was whole (the upload was cut off)");
  }
  if (err instanceof GatewayError) return err;
  const cause = err instanceof BlobCut ? err.cause : err;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new GatewayError("STORE_UNAVAILABLE", "The file could not be written to the store", { details: { reason } });
}
