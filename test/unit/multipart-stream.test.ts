// multipart/form-data read as it streams (src/kit/multipart-stream.ts): the same parts whatever
// the chunks the body arrives in, a delimiter split across two of them included, and a body cut
// before its closing delimiter is an error, never a whole part.
import { describe, expect, test } from "bun:test";
import { MultipartStream } from "../../src/kit/multipart-stream.ts";

const BOUNDARY = "----sg-boundary-7MA4YWxkTrZu0gW";
const FILE = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);

async function formBytes(): Promise<Uint8Array> {
  const form = new FormData();
  form.append("text", "Motion at the door");
  form.append("file", new Blob([FILE]), "snap.jpg");
  form.append("empty", "");
  const request = new Request("http://x/", { method: "POST", body: form });
  const boundary = /boundary=(.+)$/.exec(request.headers.get("content-type") ?? "")?.[1] ?? "";
  const text = Buffer.from(await request.arrayBuffer())
    .toString("latin1")
    .replaceAll(boundary, BOUNDARY);
  return Buffer.from(text, "latin1");
}

/** `bytes` in chunks of the sizes `sizes` gives, one after the other. */
function chunked(bytes: Uint8Array, sizes: () => number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const n = Math.max(1, sizes());
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

async function parts(body: ReadableStream<Uint8Array>) {
  const form = new MultipartStream(body, BOUNDARY);
  const out: Array<{ name: string; filename: string | undefined; bytes: Uint8Array }> = [];
  for (let part = await form.next(); part; part = await form.next())
    out.push({ name: part.name, filename: part.filename, bytes: new Uint8Array(await new Response(part.body).arrayBuffer()) });
  return out;
}

describe("a multipart body as it streams", () => {
  const chunkings: Record<string, () => number> = {
    "one byte at a time": () => 1,
    "7 bytes (a delimiter split everywhere)": () => 7,
    "64 kB": () => 65_536,
    "random sizes": () => 1 + Math.floor(Math.random() * 5000),
  };
  for (const [how, sizes] of Object.entries(chunkings)) {
    test(`${how}: the same three parts, the file byte for byte`, async () => {
      const found = await parts(chunked(await formBytes(), sizes));
      expect(found.map((p) => [p.name, p.filename, p.bytes.length])).toEqual([
        ["text", undefined, 18],
        ["file", "snap.jpg", FILE.length],
        ["empty", undefined, 0],
      ]);
      expect(found[1]?.bytes).toEqual(FILE);
    });
  }

  test("a part left unread is skipped to the next one", async () => {
    const form = new MultipartStream(
      chunked(await formBytes(), () => 1000),
      BOUNDARY,
    );
    const names: string[] = [];
    for (let part = await form.next(); part; part = await form.next()) names.push(part.name);
    expect(names).toEqual(["text", "file", "empty"]);
  });

  test("cut before the closing delimiter: the part being read errors", async () => {
    const bytes = await formBytes();
    const form = new MultipartStream(
      chunked(bytes.slice(0, 40_000), () => 4096),
      BOUNDARY,
    );
    await form.next();
    const file = await form.next();
    expect(file?.name).toBe("file");
    await expect(new Response(file?.body).arrayBuffer()).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Invalid multipart body: the multipart body has no final boundary.",
    });
  });
});
