/**
 * The name a file is shown and downloaded under: the sender's, made safe. It goes into a chat
 * message, a URL path and a Content-Disposition header, and is saved by clients under it, so it
 * keeps no path (`../`), no control character (NUL, line breaks: header injection), no bidi
 * control (U+202E makes `gpj.exe` read `exe.jpg`, CVE-2009-3376's trick) and no character a file
 * system refuses; its extension is the one of the sniffed type (a PNG named `.exe` is `.png`,
 * bytes of no known type `.bin`: an HTML page with one binary byte is no page to open).
 */

/** The longest name kept, in characters: long enough for any real name, short enough for any file system. */
export const MAX_NAME_CHARS = 120;

// C0, DEL, C1; Unicode bidi controls (UAX #9: LRM, RLM, ALM, embeddings, overrides, isolates); zero-width and BOM.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;
// Refused by Windows file systems, or meaningful in a path or a quoted header parameter.
const RESERVED = /[<>:"/\\|?*%]/g;

/** Text types whose usual extensions are kept; any other name of a text file gets `.txt` added. */
const TEXT_EXTENSIONS = new Set(["txt", "log", "md", "csv", "json", "yaml", "yml", "ini", "conf"]);

/**
 * `raw` (the sender's name, possibly absent) made safe for a file of type `ext` (the sniffed
 * type's extension, "txt" for text, undefined when unknown).
 */
export function safeName(raw: string | undefined, ext: string | undefined): string {
  const base = (raw ?? "").split(/[/\\]/).pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    .replace(UNSAFE, "")
    .replace(RESERVED, "_")
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, "");
  const { stem, extension } = split(cleaned);
  const wanted = extensionFor(extension, ext);
  return fit(stem || "file", wanted);
}

function split(name: string): { stem: string; extension: string | undefined } {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return { stem: name, extension: undefined };
  return { stem: name.slice(0, dot), extension: name.slice(dot + 1) };
}

/**
 * What a file of no known type ends with: application/octet-stream's registered extension
 * (IANA's media type registration, Apache's mime.types), so no program a name claims opens it.
 */
const UNKNOWN_EXTENSION = "bin";

/** The extension the name ends with: the sniffed one (`.bin` for no known type) unless the name's agrees with it. */
function extensionFor(given: string | undefined, sniffed = UNKNOWN_EXTENSION): string {
  if (given === undefined) return sniffed;
  const lower = given.toLowerCase();
  if (sniffed === "txt") return TEXT_EXTENSIONS.has(lower) ? given : "txt";
  if (lower === sniffed || (sniffed === "jpg" && lower === "jpeg") || (sniffed === "tif" && lower === "tiff")) return given;
  return sniffed;
}

/** Cut to MAX_NAME_CHARS code points, the extension kept whole. */
function fit(stem: string, extension: string): string {
  const suffix = `.${[...extension].slice(0, 16).join("")}`;
  const room = MAX_NAME_CHARS - [...suffix].length;
  return [...stem].slice(0, room).join("").trim() + suffix;
}
