// multipart/form-data (RFC 7578) as every format reads it (src/kit/multipart.ts): bodies as Grafana
// and curl write them, in any chunking (parts from src/kit/multipart-stream.ts), and file parts handed on as streams while the body is
// still arriving, so a file never has to fit in memory.
import { describe, expect, test } from "bun:test";
import { boundaryOf, readMultipartForm } from "../../src/kit/multipart.ts";
import { GatewayError } from "../../src/plugin-api/errors.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** A POST whose body arrives in chunks of `chunk` bytes (1: every delimiter split everywhere). */
function post(body: string | Uint8Array, chunk = 64 * 1024, boundary = "B"): Request {
  const all = typeof body === "string" ? bytes(body) : body;
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= all.length) return c.close();
      c.enqueue(all.slice(at, at + chunk));
      at += chunk;
    },
  });
  return new Request("http://gw/x", {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body: stream,
  });
}

const GRAFANA = [
  "preamble to ignore",
  "--B",
  'Content-Disposition: form-data; name="payload_json"',
  "",
  '{"content":"x"}',
  "--B",
  'Content-Disposition: form-data; name=""; filename="a \\"b\\".png"',
  "Content-Type: image/png",
  "",
  "PNG\r\n-- B, -B: no delimiter\r\n",
  "--B--",
  "",
].join("\r\n");

async function failure(read: Promise<unknown>): Promise<GatewayError> {
  const err = await read.catch((e: unknown) => e);
  if (!(err instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(err)}`);
  return err;
}

describe("multipart/form-data (RFC 7578)", () => {
  for (const chunk of [1, 3, 7, 64 * 1024])
    test(`every part is kept, however the body is cut (${chunk}-byte chunks): an empty name, quoted names with escapes, a preamble`, async () => {
      expect(await readMultipartForm(post(GRAFANA, chunk), 10_000, ["payload_json"])).toEqual({
        fields: { payload_json: '{"content":"x"}' },
        files: [{ name: "", filename: 'a "b".png', data: bytes("PNG\r\n-- B, -B: no delimiter\r\n") }],
      });
    });

  test("a body that is not multipart says why, as 400 BAD_REQUEST", async () => {
    const cases: Array<[string, string]> = [
      ["no boundary here", "the body has no multipart boundary"],
      ["--B\r\nContent-Disposition: form-data; name=a\r\n\r\nx", "the multipart body has no final boundary"],
      ["--B\r\nX-Other: 1\r\n\r\nx\r\n--B--", "a multipart part has no Content-Disposition: form-data"],
      ["--Bjunk", "a multipart boundary is not followed by a line break"],
    ];
    for (const [body, reason] of cases) {
      const err = await failure(readMultipartForm(post(body, 2), 10_000, ["a"]));
      expect([err.code, err.details.reason]).toEqual(["BAD_REQUEST", reason]);
    }
  });

  test("fields and kept files count within the bound together: past it is 413 BODY_TOO_LARGE", async () => {
    const body = `--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n${"x".repeat(60)}\r\n--B\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n${"y".repeat(60)}\r\n--B--\r\n`;
    expect((await failure(readMultipartForm(post(body, 5), 100, ["a"]))).code).toBe("BODY_TOO_LARGE");
  });

  test("a field the format reads that is not UTF-8 is INVALID_ENCODING naming it", async () => {
    const body = Buffer.concat([bytes('--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n'), Buffer.from([0xff]), bytes("\r\n--B--")]);
    const err = await failure(readMultipartForm(post(body), 100, ["a"]));
    expect([err.code, err.details.field]).toEqual(["INVALID_ENCODING", "a"]);
  });

  test("the boundary parameter, quoted or not", () => {
    expect(boundaryOf('multipart/form-data; boundary="a b"')).toBe("a b");
    expect(boundaryOf("multipart/form-data; charset=utf-8; boundary=xyz")).toBe("xyz");
    expect(boundaryOf("multipart/form-data")).toBeUndefined();
  });
});

describe("file parts handed on as streams (onFile)", () => {
  test("a file larger than the body bound streams through, byte for byte, and the fields around it are read", async () => {
    const file = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    const body = Buffer.concat([
      bytes('--B\r\nContent-Disposition: form-data; name="title"\r\n\r\nsnapshot\r\n--B\r\n'),
      bytes('Content-Disposition: form-data; name="file"; filename="door.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'),
      file,
      bytes('\r\n--B\r\nContent-Disposition: form-data; name="body"\r\n\r\nsomeone at the door\r\n--B--\r\n'),
    ]);
    const form = await readMultipartForm(post(body, 4096), 1000, ["title", "body"], async (head, stream) => ({
      ...head,
      data: new Uint8Array(await new Response(stream).arrayBuffer()),
    }));
    expect(form.fields).toEqual({ title: "snapshot", body: "someone at the door" });
    expect(form.files.map((f) => [f.name, f.filename, f.data.length])).toEqual([["file", "door.jpg", file.length]]);
    expect(Buffer.from(form.files[0]?.data ?? []).equals(Buffer.from(file))).toBe(true);
  });

  test("a file's first bytes reach onFile before the rest of the body is sent", async () => {
    let release = () => {};
    const rest = new Promise<void>((resolve) => void (release = resolve));
    const stream = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(bytes('--B\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n'));
        c.enqueue(new Uint8Array(10_000).fill(1));
        await rest; // the sender sends the rest only once the consumer has seen the first bytes
        c.enqueue(bytes("\r\n--B--\r\n"));
        c.close();
      },
    });
    const request = new Request("http://gw/x", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=B" },
      body: stream,
    });
    const form = await readMultipartForm(request, 100, [], async (_head, body) => {
      let size = 0;
      for await (const chunk of body) {
        size += chunk.byteLength;
        release();
      }
      return size;
    });
    expect(form.files).toEqual([10_000]);
  });

  test("a consumer that refuses a file (cancel and throw) fails the read with its own error", async () => {
    const body = `--B\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n${"z".repeat(5000)}\r\n--B--\r\n`;
    const refused = new GatewayError("BAD_REQUEST", "no files here");
    const err = await failure(
      readMultipartForm(post(body, 100), 100, [], async (_head, stream) => {
        await stream.cancel();
        throw refused;
      }),
    );
    expect(err).toBe(refused);
  });
});
