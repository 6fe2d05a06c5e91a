/**
 * The seam where the XMPP server's upload service (XEP-0363, `attachments.upload: xep0363`)
 * replaces local serving: the store keeps the bytes first (so the limits, the sniffed type and the
 * hash are the same whichever serves it), then an Uploader puts them where the server serves them.
 */

/** A file the store holds, as an uploader reads it. */
export interface UploadSource {
  /** The blob on disk (read it with Bun.file). */
  path: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
}

export interface Uploader {
  /** Uploads the bytes and answers the URL clients GET; throws (any error) when the service refused or failed. */
  upload(file: UploadSource): Promise<string>;
}
