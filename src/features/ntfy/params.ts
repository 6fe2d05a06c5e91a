/**
 * Where ntfy reads a publish's parameters (server/util.go `readParam` of binwiederhier/ntfy
 * v2.13): each has several names, looked up first among the headers, then in the query string
 * under the lower-cased name. Header values may be MIME encoded-words (RFC 2047), as ntfy decodes
 * them, and are otherwise the bytes the sender wrote: UTF-8 where it is valid.
 */

export interface ParamSource {
  /** The first non-empty value of `names`, trimmed, or "" (ntfy's readParam). */
  get(...names: string[]): string;
}

/** RFC 9218 §4: the `Priority` header Cloudflare adds (`u=3, i`); ntfy ignores it and reads the other names. */
const HTTP_PRIORITY = /^u=\d,\s*(i|\d)$|^u=\d$/;

export function paramsOf(headers: Headers, query: URLSearchParams): ParamSource {
  const header = (name: string) => {
    const raw = headers.get(name);
    if (raw === null) return "";
    const value = decodeWords(asUtf8(raw)).trim();
    return name === "priority" && HTTP_PRIORITY.test(value) ? "" : value;
  };
  return {
    get(...names) {
      for (const name of names) {
        const value = header(name);
        if (value) return value;
      }
      for (const name of names) {
        const value = query.get(name.toLowerCase())?.trim();
        if (value) return value;
      }
      return "";
    },
  };
}

/** ntfy's readBoolParam: 1, yes and true are true. */
export const isTrue = (value: string): boolean => ["1", "yes", "true"].includes(value.toLowerCase());

/** ntfy's readCommaSeparatedParam: split on commas, trimmed, empty ones dropped. */
export const commaList = (value: string): string[] =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/**
 * Bun reads header bytes as Latin-1 (RFC 9110 §5.5); a sender that wrote UTF-8 there (curl -H
 * "Title: Größe", Go's net/http, ntfy's own CLI) meant UTF-8, as ntfy takes it.
 */
function asUtf8(latin1: string): string {
  if (!/[\u0080-\u00ff]/.test(latin1) || /[^\u0000-\u00ff]/.test(latin1)) return latin1;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(latin1, "latin1"));
  } catch {
    return latin1;
  }
}

/** RFC 2047 §2: `=?charset?B|Q?text?=`; UTF-8 and ASCII as senders use, any other charset left as written. */
const ENCODED_WORD = /=\?(utf-8|us-ascii|iso-8859-1)\?([bq])\?([^?\s]*)\?=/gi;

function decodeWords(value: string): string {
  // §6.2: white space between two adjacent encoded-words is not shown.
  return value.replace(/(\?=)\s+(?==\?)/g, "$1").replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    const bytes = encoding.toLowerCase() === "b" ? Buffer.from(text, "base64") : qBytes(text);
    try {
      return new TextDecoder(charset.toLowerCase() === "iso-8859-1" ? "latin1" : "utf-8", { fatal: true }).decode(bytes);
    } catch {
      return word;
    }
  });
}

/** RFC 2047 §4.2: `_` is a space, `=XX` a byte. */
function qBytes(text: string): Uint8Array {
  const ascii = text.replaceAll("_", " ");
  const bytes: number[] = [];
  for (let i = 0; i < ascii.length; i++) {
    const hex = ascii[i] === "=" ? ascii.slice(i + 1, i + 3) : "";
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(ascii.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(bytes);
}
