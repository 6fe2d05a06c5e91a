// GET/HEAD <path>/<id>/<name> (src/features/files/serve.ts): what a client fetching a stored file
// gets, header by header, and what an unknown or expired id gets: 404 and nothing else.
import { afterEach, describe, expect, test } from "bun:test";
import { serveFile } from "../../../src/features/files/serve.ts";
import { PNG_1X1, bytesStream, testFiles, type TestFiles } from "../../helpers/file-store.ts";
import { fakeGateway, type FakeGateway } from "../../helpers/fake-gateway.ts";

let t: TestFiles | undefined;
let gw: FakeGateway | undefined;
afterEach(async () => {
  t?.remove();
  await gw?.stop();
  gw = undefined;
});

async function stored(bytes: Uint8Array, name: string, settings: Record<string, unknown> = {}) {
  t = testFiles(settings);
  const file = await t.files.put({ body: bytesStream(bytes), name }, "alice");
  const get = (headers: Record<string, string> = {}, method = "GET", id = file.id) =>
    Promise.resolve(
      serveFile(t?.files.store as TestFiles["files"]["store"])({
        request: new Request(file.url, { method, headers }),
        params: { id, name: file.name },
        ip: "127.0.0.1",
      }),
    );
  return { file, get };
}

describe("a stored file as a client fetches it", () => {
  test("an image is inline, typed from its bytes, nosniff, sandboxed, cacheable until it expires", async () => {
    const { file, get } = await stored(PNG_1X1, "snap.jpg", { expire: "1d" });
    const response = await get();
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG_1X1);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "image/png",
      "content-disposition": `inline; filename="snap.png"; filename*=UTF-8''snap.png`,
      "x-content-type-options": "nosniff",
      etag: `"${file.sha256}"`,
      "cache-control": "public, max-age=86400, immutable",
      "accept-ranges": "bytes",
    });
    expect(response.headers.get("content-security-policy")).toContain("sandbox");
  });

  test("an HTML upload is text, served as an attachment, never a page", async () => {
    const { get } = await stored(new TextEncoder().encode("<!doctype html><script>alert(document.cookie)</script>"), "x.html");
    const response = await get();
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("content-disposition")).toStartWith('attachment; filename="x.txt"');
  });

  test("a non-ASCII name is the RFC 8187 filename*, with an ASCII fallback", async () => {
    const { get } = await stored(PNG_1X1, "Tür (1).png");
    expect((await get()).headers.get("content-disposition")).toBe(
      `inline; filename="T_r (1).png"; filename*=UTF-8''T%C3%BCr%20%281%29.png`,
    );
  });

  test("If-None-Match with its ETag is 304", async () => {
    const { file, get } = await stored(PNG_1X1, "a.png");
    expect((await get({ "if-none-match": `W/"x", "${file.sha256}"` })).status).toBe(304);
  });

  test("one Range is 206 with Content-Range; past the end is 416; a stale If-Range is the whole file", async () => {
    const bytes = new TextEncoder().encode("0123456789");
    const { get } = await stored(bytes, "digits.txt");
    const part = await get({ range: "bytes=2-4" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 2-4/10");
    expect(await part.text()).toBe("234");
    expect(await (await get({ range: "bytes=-3" })).text()).toBe("789");
    expect(await (await get({ range: "bytes=7-" })).text()).toBe("789");
    const beyond = await get({ range: "bytes=10-" });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe("bytes */10");
    expect((await get({ range: "bytes=2-4", "if-range": '"old"' })).status).toBe(200);
  });

  test("a range whose last byte is before its first (bytes=5-2) is invalid: the whole file, 200", async () => {
    const { get } = await stored(new TextEncoder().encode("0123456789"), "digits.txt");
    const whole = await get({ range: "bytes=5-2" });
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-range")).toBeNull();
    expect(await whole.text()).toBe("0123456789");
  });

  test("an unknown or expired id is 404 with the catalogue's body only", async () => {
    const { get, file } = await stored(PNG_1X1, "a.png", { expire: "1m" });
    const unknown = await get({}, "GET", "0".repeat(32));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "Not found", code: "NOT_FOUND" });
    expect((await get({}, "GET", "../../etc")).status).toBe(404);
    (t as TestFiles).clock.now += 60_000;
    expect((await get({}, "GET", file.id)).status).toBe(404);
  });
});

describe("the files path in a gateway", () => {
  test("is served only when http.public_url is set, and /health says how full the store is", async () => {
    gw = await fakeGateway("http:\n  public_url: https://gw.example.org\nroutes: []\n");
    const unknown = await gw.request(`/files/${"a".repeat(32)}/x.png`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "Not found", code: "NOT_FOUND" });
    const health = (await (await gw.request("/health")).json()) as { plugins: unknown[] };
    expect(health.plugins).toContainEqual({ plugin: "files", path: "/files", used_bytes: 0, quota_bytes: 1_073_741_824 });
    await gw.stop();
    gw = await fakeGateway("routes: []\n");
    expect((await gw.request(`/files/${"a".repeat(32)}/x.png`)).status).toBe(404);
  });
});
