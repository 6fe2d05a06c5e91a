// src/files/types.ts
/** A file the gateway stored (or the server's upload service took): what a chat message links to. */
export interface StoredFile {
  /** >= 128 random bits, hex; the path segment after the files path. */
  id: string;
  /** A safe display/download name (sanitised: no path, no control or bidi characters, <= 120 chars). */
  name: string;
  /** Sniffed from the bytes, never the sender's claim (application/octet-stream when unknown). */
  type: string;
  size: number;
  /** Hex SHA-256 of the bytes (content addressing; tests compare it). */
  sha256: string;
  /** Absolute URL a client fetches (http.public_url + files path + id + name, or the XEP-0363 GET URL). */
  url: string;
}

/** What a notification carries besides its text: one chat message each (XEP-0066 OOB). */
export type Attachment =
  | { kind: "file"; file: StoredFile }
  /** A remote URL passed through as it is (Attach:, image_url, bigImageUrl), not fetched. */
  | { kind: "link"; url: string; name?: string | undefined };

/** A file as it arrives, before it is stored: streamed, never held whole. */
export interface IncomingFile {
  body: ReadableStream<Uint8Array>;
  /** The sender's name for it (Filename header, multipart filename...), sanitised by the store. */
  name?: string | undefined;
  /** Content-Length or multipart size when the sender declared one: refused at once when over the limit. */
  declaredSize?: number | undefined;
}

/** How a route attaches files: from a generation, absent when attachments are not configured. */
export interface FilesPort {
  /** Streams into the store (or XEP-0363 upload); GatewayError FILE_TOO_LARGE, FILES_QUOTA, FILES_RATE, FILES_STORE_FULL... */
  put(file: IncomingFile, sender: string): Promise<StoredFile>;
  /** A remote URL: a `link` by default; fetched and stored when `attachments.remote.fetch` is on (SSRF-guarded). */
  remote(url: string, sender: string, name?: string): Promise<Attachment>;
  /** Forgets files a refused request stored (request-files.ts): no message links to them. */
  forget(files: readonly StoredFile[]): Promise<void>;
}
