/**
 * Request bodies by Content-Type. Parameters such as `; charset=utf-8` are accepted; a type this
 * gateway does not read is UNSUPPORTED_MEDIA_TYPE (415), malformed JSON INVALID_JSON (400).
 *
 * Bytes are counted while they stream in, so a body over the limit is refused with BODY_TOO_LARGE
 * (413, each format in its shape) as soon as it passes the limit, whether it came with a
 * Content-Length or chunked. Text is decoded
 * strictly (RFC 9110 §8.3.2: the charset parameter names the encoding; UTF-8 when none is given):
 * a byte sequence the charset cannot decode is 400 INVALID_ENCODING, never a silent U+FFFD.
 */
import { GatewayError } from "../plugin-api/errors.ts";
import { declaredWithin, readBoundedBody } from "./bounded.ts";

export type MediaType = "text" | "form" | "json";

const MEDIA_TYPES: Record<string, MediaType> = {
  "text/plain": "text",
  "application/x-www-form-urlencoded": "form",
  "application/json": "json",
};

export const ACCEPTED_TYPES = Object.keys(MEDIA_TYPES);

/**
 * Deeper JSON is refused before JSON.parse. No route reads fields more than a few levels down,
 * and what handles a parsed body later (TypeBox checks, templates, JSON.stringify in logs)
 * recurses: 60,000 levels overflowed the stack and answered 500.
 */
export const MAX_JSON_DEPTH = 64;

export function mediaType(request: Request): MediaType | undefined {
  const essence = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  return MEDIA_TYPES[essence];
}

/** The `charset` parameter of Content-Type, lower-cased and unquoted, if any. */
export function charsetOf(request: Request): string | undefined {
  const params = request.headers.get("content-type")?.split(";").slice(1) ?? [];
  for (const param of params) {
    const [name, value] = param.split("=", 2).map((s) => s.trim());
    if (name?.toLowerCase() === "charset" && value) return value.replace(/^"(.*)"$/, "$1").toLowerCase();
  }
  return undefined;
}

/** Reads the body as text, refusing more than `maxBytes` and bytes its charset cannot decode. */
export async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  return decode(await readBytes(request, maxBytes), charsetOf(request));
}

export function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError("BODY_TOO_LARGE", `Body larger than ${maxBytes} bytes`, { details: { max_bytes: maxBytes } });
}

/**
 * The body's bytes within `maxBytes`. A length declared within the bound is read here in one
 * native call rather than through readBoundedBody: each async layer between the socket and the
 * route is one more promise job and resumed frame per request (bench/README.md, round 6).
 */
export async function readBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = declaredWithin(request, maxBytes) ? await request.bytes() : await readBoundedBody(request, maxBytes);
  } catch (err) {
    throw readFailure(request, err);
  }
  if (bytes === undefined || bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

/** A read that fails because the client hung up is CLIENT_GONE (logged at debug, not as a fault). */
function readFailure(request: Request, err: unknown): unknown {
  if (err instanceof GatewayError) return err;
  if (request.signal.aborted || (err instanceof Error && err.name === "AbortError")) return new GatewayError("CLIENT_GONE");
  return err;
}

/** Strict decoding: TextDecoder's `fatal` throws where it would otherwise insert U+FFFD. */
function decode(bytes: Uint8Array, charset = "utf-8"): string {
  let decoder: TextDecoder;
  try {
    // Any label the WHATWG Encoding standard knows; an unknown one throws (handled below).
    decoder = new TextDecoder(charset as ConstructorParameters<typeof TextDecoder>[0], { fatal: true });
  } catch {
    throw new GatewayError("UNSUPPORTED_MEDIA_TYPE", `Unsupported charset: ${charset}`, { details: { charset, accepted: ACCEPTED_TYPES } });
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new GatewayError("INVALID_ENCODING", undefined, { details: { charset: decoder.encoding } });
  }
}

export type ParsedBody = { type: "text"; text: string } | { type: "form" | "json"; fields: Record<string, unknown> };

/** Parses by Content-Type; JSON must be an object (fields), as with a form. */
export async function readBody(request: Request, maxBytes: number): Promise<ParsedBody> {
  const type = mediaType(request);
  if (!type) throw await unsupported(request, maxBytes);
  const text = await readText(request, maxBytes);
  if (type === "text") return { type, text };
  if (type === "form") return { type, fields: parseForm(text, charsetOf(request)) };
  return { type, fields: parseJsonObject(text) };
}

/** 415 with the accepted types; a body that is JSON is told which Content-Type it needed. */
async function unsupported(request: Request, maxBytes: number): Promise<GatewayError> {
  const text = await readText(request, maxBytes).catch(() => "");
  const hint = jsonHint(text, request);
  return new GatewayError("UNSUPPORTED_MEDIA_TYPE", undefined, { details: { accepted: ACCEPTED_TYPES, ...(hint ? { hint } : {}) } });
}

/**
 * The hint for a JSON object sent under another Content-Type (none, text/plain, a form): a
 * raw client or `curl -d '{...}'` without `-H` is the usual cause of a 400 or 415 there.
 */
export function jsonHint(text: string, request: Request): string | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    parseJsonObject(text);
  } catch {
    return undefined;
  }
  const sentAs = request.headers.get("content-type")?.split(";")[0]?.trim();
  return `The body is JSON but was sent ${sentAs ? `as ${sentAs}` : "without a Content-Type"}: send it with Content-Type: application/json`;
}

/**
 * The body as a JSON object, read within `maxBytes`. What is not one is INVALID_JSON, or what
 * `onError` makes of it: each format words it in its own shape (Slack's `invalid_payload`...).
 */
export async function readJsonObject(
  request: Request,
  maxBytes: number,
  onError?: (err: GatewayError) => GatewayError,
): Promise<Record<string, unknown>> {
  return jsonObjectOf(await readText(request, maxBytes), onError);
}

/** `text` (a body, or a form field carrying JSON) as a JSON object: INVALID_JSON, or `onError`'s word for it. */
export function jsonObjectOf(text: string, onError: (err: GatewayError) => GatewayError = (err) => err): Record<string, unknown> {
  try {
    return parseJsonObject(text);
  } catch (err) {
    throw err instanceof GatewayError && err.code === "INVALID_JSON" ? onError(err) : err;
  }
}

export function parseJsonObject(text: string): Record<string, unknown> {
  const value = parseJson(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GatewayError("INVALID_JSON", "Body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Any JSON value, refused past MAX_JSON_DEPTH before JSON.parse sees it. */
export function parseJson(text: string): unknown {
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new GatewayError("INVALID_JSON", undefined, { details: { reason: `nested deeper than ${MAX_JSON_DEPTH} levels` } });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GatewayError("INVALID_JSON", undefined, { details: { reason: (err as Error).message } });
  }
}

/** One pass over the text, skipping strings: no recursion, so no depth can overflow the stack. */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character, quotes included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * application/x-www-form-urlencoded as URLSearchParams reads it, except that percent-encoded bytes
 * must decode in the charset (UTF-8 by default): URLSearchParams would turn `%FF` into U+FFFD.
 */
export function parseForm(text: string, charset?: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = formDecode(eq === -1 ? pair : pair.slice(0, eq), charset);
    fields[name] = eq === -1 ? "" : formDecode(pair.slice(eq + 1), charset);
  }
  return fields;
}

/** Consecutive %XX escapes: the bytes of one or more characters, decoded together. */
const PERCENT_RUN = /(?:%[0-9a-fA-F]{2})+/g;

function formDecode(raw: string, charset?: string): string {
  return raw.replaceAll("+", " ").replace(PERCENT_RUN, (run) => decode(hexBytes(run), charset));
}

function hexBytes(run: string): Uint8Array {
  const bytes = new Uint8Array(run.length / 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
  return bytes;
}
