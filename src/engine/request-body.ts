/**
 * Request bodies by Content-Type. Parameters such as `; charset=utf-8` are accepted; a type this
 * gateway does not read is UNSUPPORTED_MEDIA_TYPE (415), malformed JSON INVALID_JSON (400).
 */
import { GatewayError } from "../errors.ts";

export type MediaType = "text" | "form" | "json";

const MEDIA_TYPES: Record<string, MediaType> = {
  "text/plain": "text",
  "application/x-www-form-urlencoded": "form",
  "application/json": "json",
};

export const ACCEPTED_TYPES = Object.keys(MEDIA_TYPES);

export function mediaType(request: Request): MediaType | undefined {
  const essence = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  return MEDIA_TYPES[essence];
}

/** Reads the body as text, refusing more than `maxBytes` (the declared length is checked first). */
export async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw new GatewayError("BODY_TOO_LARGE", undefined, { details: { max_bytes: maxBytes } });
  const buf = await request.arrayBuffer();
  if (buf.byteLength > maxBytes) throw new GatewayError("BODY_TOO_LARGE", undefined, { details: { max_bytes: maxBytes } });
  return new TextDecoder("utf-8", { fatal: false }).decode(buf);
}

export type ParsedBody =
  | { type: "text"; text: string }
  | { type: "form" | "json"; fields: Record<string, unknown> };

/** Parses by Content-Type; JSON must be an object (fields), as with a form. */
export async function readBody(request: Request, maxBytes: number): Promise<ParsedBody> {
  const type = mediaType(request);
  if (!type) {
    throw new GatewayError("UNSUPPORTED_MEDIA_TYPE", undefined, { details: { accepted: ACCEPTED_TYPES } });
  }
  const text = await readText(request, maxBytes);
  if (type === "text") return { type, text };
  if (type === "form") return { type, fields: Object.fromEntries(new URLSearchParams(text)) };
  return { type, fields: parseJsonObject(text) };
}

export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GatewayError("INVALID_JSON", undefined, { details: { reason: (err as Error).message } });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GatewayError("INVALID_JSON", "Body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
