/**
 * Bounds on memory that a peer controls: a body read stops as soon as it passes its limit (the
 * declared length is checked first, then the bytes as they stream in), and a map of remembered
 * keys forgets its least recently set entry past its size.
 */

/** The body's bytes, or undefined past `maxBytes` (declared or actual); a read error rejects. */
async function readBoundedBytes(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  declaredLength?: string | null,
): Promise<Uint8Array | undefined> {
  if (Number(declaredLength ?? 0) > maxBytes) {
    await body?.cancel().catch(() => {});
    return undefined;
  }
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      void reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The body of a request or an answer, bounded as readBoundedBytes. A body whose length is declared
 * (Content-Length, within the bound) and not compressed is read in one native call: HTTP/1.1
 * framing (RFC 9112 §6.2) makes it exactly that long, so counting chunks in JavaScript would
 * only cost time. fetch decompresses a Content-Encoding, which the declared length does not
 * bound: such a body, and one without a length (chunked), are counted as they stream in.
 */
export async function readBoundedBody(message: Request | Response, maxBytes: number): Promise<Uint8Array | undefined> {
  if (declaredWithin(message, maxBytes)) {
    const bytes = await message.bytes();
    return bytes.byteLength > maxBytes ? undefined : bytes;
  }
  return readBoundedBytes(message.body, maxBytes, message.headers.get("content-length"));
}

/** Whether a body may be read in one native call (readBoundedBody): its length declared within `maxBytes`, not compressed. */
export function declaredWithin(message: Request | Response, maxBytes: number): boolean {
  const header = message.headers.get("content-length");
  const declared = header === null ? Number.NaN : Number(header);
  return Number.isSafeInteger(declared) && declared <= maxBytes && !message.headers.has("content-encoding");
}

/** An HTTP answer's text (UTF-8), or undefined when it is larger than `maxBytes`. */
export async function readBoundedText(response: Response, maxBytes: number): Promise<string | undefined> {
  const bytes = await readBoundedBody(response, maxBytes);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8");
}

/** A Map that keeps at most `max` entries: setting a key makes it the newest; the oldest goes first. */
export class LruMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.max) super.delete(this.keys().next().value as K);
    return this;
  }
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A JSON value where a sender's text is expected, as every format reads it: a string as written,
 * a number or boolean as JSON spells it (Discord reads `"content": 5` as "5", Mattermost takes any
 * attachment field value), anything else (an object, a list, null) undefined: the format says why.
 */
export function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return String(value);
  return undefined;
}

/** `value.a.b.c` when each step is a JSON object, else undefined (extras, cards: nested optional keys). */
export function pathOf(value: unknown, ...keys: readonly string[]): unknown {
  let v = value;
  for (const key of keys) v = isRecord(v) && Object.hasOwn(v, key) ? v[key] : undefined;
  return v;
}

/** textOf, with "" for what says nothing (a card's optional texts). */
export const textIn = (value: unknown): string => textOf(value) ?? "";
