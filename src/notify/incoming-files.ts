/**
 * What a sender's payload carries besides its text, as a notification's attachments (issue 21):
 * the files it uploads (multipart parts, base64 in JSON) go into the file store through the
 * route's FilesPort, and the images it names by URL (Slack's image_url, Gotify's bigImageUrl,
 * Discord's embed images) become OOB links, fetched and stored only where `attachments.remote`
 * says so. Every format reads its own payload and answers refusals in its own shape; this is
 * the part they share.
 */
import type { Attachment, FilesPort } from "../files/types.ts";
import type { Identity } from "../plugin-api/auth.ts";
import { GatewayError } from "../plugin-api/errors.ts";
import type { OnFile, PartHead } from "../kit/multipart.ts";

/**
 * Files one notification carries: each is a chat message of its own to every recipient, so a
 * request naming 10,000 would flood a chat. Discord allows 10 in a message, as here.
 */
export const MAX_ATTACHMENTS = 10;

/** Who sends the files, as the store's per-sender rate counts them: the credential's holder, else the address. */
export const fileSender = (user: Identity | undefined, ip: string): string => (user ? `${user.scheme}:${user.name}` : ip);

/** The route's file store, or ATTACHMENTS_OFF: a file came and this gateway has nowhere to keep it. */
function filesOn(files: FilesPort | undefined): FilesPort {
  if (!files) throw new GatewayError("ATTACHMENTS_OFF");
  return files;
}

/** FILES_TOO_MANY past MAX_ATTACHMENTS, counting what a payload already carries. */
export function checkCount(count: number): void {
  if (count > MAX_ATTACHMENTS) throw new GatewayError("FILES_TOO_MANY", undefined, { details: { max_files: MAX_ATTACHMENTS } });
}

/**
 * Multipart file parts into the store as they stream in (kit/multipart.ts `onFile`). A file
 * part when attachments are off, or one too many, is refused before its bytes are read.
 */
export function storeParts(files: FilesPort | undefined, sender: string): OnFile<Attachment> {
  let count = 0;
  return async (head: PartHead, body: ReadableStream<Uint8Array>) => {
    try {
      checkCount(++count);
      const file = await filesOn(files).put({ body, name: head.filename || undefined }, sender);
      return { kind: "file", file };
    } catch (err) {
      await body.cancel().catch(() => {});
      throw err;
    }
  };
}

/** Bytes a payload carried inline (Apprise's base64) into the store. */
export async function storeBytes(files: FilesPort | undefined, bytes: Uint8Array, name: string | undefined, sender: string) {
  const body = new Blob([bytes]).stream();
  const file = await filesOn(files).put({ body, name, declaredSize: bytes.byteLength }, sender);
  return { kind: "file", file } satisfies Attachment;
}

/**
 * An image or file a payload names by URL. Only http(s) URLs are attachments (a client fetches
 * them); anything else is not one. With attachments off it is still a link: an OOB link needs
 * no store (XEP-0066 §3, the client fetches it), only fetching it into the store does.
 */
async function remoteAttachment(files: FilesPort | undefined, url: string, sender: string, name?: string): Promise<Attachment | undefined> {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return undefined;
  if (!files) return { kind: "link", url, ...(name ? { name } : {}) };
  return files.remote(url, sender, name);
}

/** Every URL of a payload as attachments, in order, once each, within MAX_ATTACHMENTS with what it already carries. */
export async function remoteAttachments(
  files: FilesPort | undefined,
  urls: ReadonlyArray<{ url: string; name?: string | undefined }>,
  sender: string,
  carried = 0,
): Promise<Attachment[]> {
  const unique = [...new Map(urls.map((u) => [u.url, u])).values()];
  const out: Attachment[] = [];
  for (const { url, name } of unique) {
    if (carried + out.length >= MAX_ATTACHMENTS) break;
    const attachment = await remoteAttachment(files, url, sender, name);
    if (attachment) out.push(attachment);
  }
  return out;
}

/**
 * A notification's link attachments as the route's store takes remote URLs (`attachments.remote`:
 * kept links, or fetched and stored); what is stored already stays. A format reads a payload's
 * image URLs as links (sync, the same for render), then hands them through this before sending.
 */
export async function viaStore(
  files: FilesPort | undefined,
  attachments: readonly Attachment[] | undefined,
  sender: string,
): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for (const a of attachments ?? []) {
    const through = a.kind === "link" ? await remoteAttachment(files, a.url, sender, a.name) : a;
    if (through) out.push(through);
  }
  return out;
}
