/**
 * Reads the web app's answer with a size bound: a web app that answers a huge (or endless) body
 * must not grow the gateway's memory without end. The declared length is checked first, then the
 * bytes as they stream in, so reading stops as soon as the bound is passed.
 */

/** The answer's text, or undefined when it is larger than `maxBytes`. */
export async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  if (!reader) return "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
