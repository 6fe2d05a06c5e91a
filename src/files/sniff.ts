/**
 * The type of a file, from its first bytes (magic numbers, the `file-type` package), never the
 * sender's Content-Type or file name: those are what an attacker writes. Text that file-type has
 * no signature for (a log, a long ntfy message) is text/plain when it is UTF-8 without control
 * characters; anything else unknown is application/octet-stream.
 */
import { fileTypeFromBuffer } from "file-type";

/** Enough for every signature file-type reads from a buffer (most need 4,100 bytes; ZIP-based ones read further). */
export const SNIFF_BYTES = 65_536;

export interface Sniffed {
  /** A MIME type: what Content-Type says when the file is served. */
  type: string;
  /** Its usual extension, "txt" for text; undefined when the type is unknown. */
  ext: string | undefined;
}

const OCTET_STREAM = "application/octet-stream";
const TEXT_PLAIN = "text/plain; charset=utf-8";

export async function sniffType(head: Uint8Array): Promise<Sniffed> {
  const found = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
  if (found) return { type: found.mime, ext: found.ext };
  if (isText(head)) return { type: TEXT_PLAIN, ext: "txt" };
  return { type: OCTET_STREAM, ext: undefined };
}

// Tab, line feed, form feed and carriage return are text; other C0 controls and DEL are not.
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

function isText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  try {
    // `stream: true`: the head may end inside a multi-byte character.
    const text = new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
    return !CONTROL.test(text);
  } catch {
    return false;
  }
}

/**
 * Whether a browser may show it in place (RFC 6266 `inline`): images, audio, video and PDF, which
 * it renders without running anything of the file. SVG is an image that runs scripts, and HTML or
 * anything else unknown is never shown as a page: `attachment`.
 */
export function shownInline(type: string): boolean {
  if (type === "image/svg+xml") return false;
  return /^(image|audio|video)\//.test(type) || type === "application/pdf";
}
