// Bad input of issue 21 §6, each with a clear error in the sender's shape, never a crash, a hang, a
// half file served or a store that stops working: a 1 GB upload (cut while it streams, memory
// bounded), hostile file names, a PNG named .exe, an HTML page, a quota reached, a full disk.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fakeGateway, type FakeGateway } from "../../helpers/fake-gateway.ts";
import { PNG_1X1, bytesStream, sha256, streamOf, testFiles } from "../../helpers/file-store.ts";
import { canMountTmpfs, mountTinyDisk } from "../../helpers/tiny-disk.ts";
import { GatewayError } from "../../../src/plugin-api/errors.ts";

const GB = 1024 ** 3;

const ROUTES = `
http:
  public_url: https://gw.example.org
attachments:
  quota_bytes: 40000000
routes:
  - preset: ntfy
    topics: { door: alice@localhost }
  - path: /upload
    attach: file
    send: '<message to="alice@localhost"><body>upload</body></message>'
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

const messages = () => gw.stanzas().filter((s) => s.name === "message").length;

/** A body of `total` bytes made as it is read, counting how much was read. */
function counted(total: number) {
  const read = { bytes: 0 };
  const body = streamOf(total, 0x41, 1 << 20).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
  return { body, read };
}

describe("a 1 GB upload", () => {
  test("sent chunked, it is cut just past max_file_bytes (15 MB) with ntfy's 41301, memory bounded, nothing sent", async () => {
    const before = messages();
    Bun.gc(true);
    const rss = process.memoryUsage().rss;
    const { body, read } = counted(GB);
    const response = await gw.request("/door", { method: "PUT", body, headers: { Filename: "huge.bin" } });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: number }).code).toBe(41301);
    expect(read.bytes).toBeLessThan(20 * 2 ** 20);
    expect(process.memoryUsage().rss - rss).toBeLessThan(128 * 2 ** 20);
    expect(messages()).toBe(before);
  });

  test("declared in Content-Length, it is refused before a byte is read", async () => {
    const { body, read } = counted(GB);
    const response = await gw.request("/door", { method: "PUT", body, headers: { Filename: "huge.bin", "content-length": String(GB) } });
    expect(response.status).toBe(413);
    expect(read.bytes).toBeLessThanOrEqual(2 ** 21);
  });
});

describe("hostile names and types", () => {
  test("../, NUL, an RTL override and 300 characters in a multipart filename come out as a safe name", async () => {
    const form = new FormData();
    form.append("file", new Blob([PNG_1X1]), `../../etc/\u0000evil\u202egnp.${"x".repeat(300)}.exe`);
    const response = await gw.request("/upload", { method: "POST", body: form });
    const [file] = ((await response.json()) as { files: Array<{ name: string }> }).files;
    expect(file?.name).toMatch(/^evilgnp\.x+\.png$/);
    expect([...(file?.name ?? "")].length).toBe(120);
  });

  test("an HTML page named .html is text, served as a download, never as a page", async () => {
    const page = "<!doctype html><html><script>fetch('/steal?c='+document.cookie)</script></html>";
    const put = await gw.request("/door", { method: "PUT", body: page, headers: { Filename: "invoice.html" } });
    const { attachment } = (await put.json()) as { attachment: { name: string; url: string } };
    expect(attachment.name).toBe("invoice.txt");
    const served = await gw.request(new URL(attachment.url).pathname);
    expect(served.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(served.headers.get("content-disposition")).toStartWith("attachment;");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("limits of the store", () => {
  test("past attachments.quota_bytes ntfy's sender gets a 507 in ntfy's shape, and a small file still fits after", async () => {
    const big = async (fill: number) =>
      gw.request("/door", { method: "PUT", body: streamOf(15_000_000, fill), headers: { Filename: "big.bin" } });
    expect((await big(1)).status).toBe(200);
    expect((await big(2)).status).toBe(200);
    const refused = await big(3);
    expect(refused.status).toBe(507);
    expect(await refused.json()).toEqual({
      code: 50700,
      http: 507,
      error: "The file store is at attachments.quota_bytes; retry when older files expire",
    });
    expect((await gw.request("/door", { method: "PUT", body: PNG_1X1, headers: { Filename: "small.png" } })).status).toBe(200);
  });

  test.skipIf(!canMountTmpfs())(
    "a disk that fills mid-upload: 507 FILES_STORE_FULL, no half file, and the store keeps working",
    async () => {
      const disk = mountTinyDisk("2m");
      const t = testFiles({}, disk.dir);
      try {
        // 3 MB into a 2 MB tmpfs: the kernel answers ENOSPC part way through.
        const refused = await t.files.put({ body: streamOf(3_000_000, 7) }, "cam").catch((err: unknown) => err);
        expect(refused).toBeInstanceOf(GatewayError);
        expect(refused).toMatchObject({ code: "FILES_STORE_FULL", status: 507 });
        expect(readdirSync(t.dir).filter((n) => n !== "tmp")).toEqual([]);
        expect(readdirSync(join(t.dir, "tmp"))).toEqual([]);
        const file = await t.files.put({ body: bytesStream(PNG_1X1) }, "cam");
        expect(sha256(await Bun.file(join(t.dir, file.sha256)).arrayBuffer())).toBe(sha256(PNG_1X1));
      } finally {
        disk.remove();
      }
    },
  );
});
