// The file store and its limits (src/files/store.ts, service.ts): files stream to disk, are
// content-addressed and named by 128 random bits, and every limit is a clear error.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GatewayError } from "../../../src/plugin-api/errors.ts";
import type { Uploader } from "../../../src/files/uploader.ts";
import { FileStore } from "../../../src/files/store.ts";
import { openStore } from "../../../src/store/db.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { PNG_1X1, PUBLIC_URL, brokenStream, bytesStream, sha256, streamOf, testFiles, type TestFiles } from "../../helpers/file-store.ts";

let t: TestFiles | undefined;
afterEach(() => t?.remove());

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "stored",
    (err: unknown) => (err instanceof GatewayError ? err.code : String(err)),
  );

describe("a file is stored", () => {
  test("its bytes land under their SHA-256, its id is 128 random bits, its URL is public_url + path + id + name", async () => {
    t = testFiles();
    const file = await t.files.put({ body: bytesStream(PNG_1X1), name: "door.exe" }, "alice");
    expect(file).toMatchObject({ name: "door.png", type: "image/png", size: PNG_1X1.length, sha256: sha256(PNG_1X1) });
    expect(file.id).toMatch(/^[0-9a-f]{32}$/);
    expect(file.url).toBe(`${PUBLIC_URL}/files/${file.id}/door.png`);
    expect(sha256(await Bun.file(join(t.dir, file.sha256)).arrayBuffer())).toBe(file.sha256);
  });

  test("the same bytes twice are one blob under two ids", async () => {
    t = testFiles();
    const a = await t.files.put({ body: bytesStream(PNG_1X1) }, "alice");
    const b = await t.files.put({ body: bytesStream(PNG_1X1) }, "bob");
    expect(a.id).not.toBe(b.id);
    expect(readdirSync(t.dir).filter((n) => n !== "tmp")).toEqual([a.sha256]);
    expect(t.files.store.used()).toBe(PNG_1X1.length);
  });

  test("an expired file is not found, and its blob goes at the sweep once no file names it", async () => {
    t = testFiles({ expire: "1h" });
    const file = await t.files.put({ body: bytesStream(PNG_1X1) }, "alice");
    t.clock.now += 3_599_000;
    expect((await t.files.store.find(file.id))?.name).toBe("file.png");
    t.clock.now += 1_000;
    expect(await t.files.store.find(file.id)).toBeUndefined();
    await t.files.store.sweep();
    expect(existsSync(join(t.dir, file.sha256))).toBe(false);
  });
});

describe("what a sweep leaves", () => {
  test("a blob no row names yet, written within the last 10 minutes (another gateway on the store landing it), stays", async () => {
    t = testFiles();
    const sha = "ab".repeat(32);
    writeFileSync(join(t.dir, sha), "landing");
    await new FileStore(sqliteStore(openStore(":memory:")), t.dir).sweep();
    expect(existsSync(join(t.dir, sha))).toBe(true);
    await t.files.store.sweep(); // no grace (the test store's)
    expect(existsSync(join(t.dir, sha))).toBe(false);
  });
});

describe("limits", () => {
  test("a declared size over max_file_bytes is refused before a byte is read", async () => {
    t = testFiles({ max_file_bytes: 1000 });
    let pulled = false;
    const body = new ReadableStream<Uint8Array>({ pull: () => void (pulled = true) });
    expect(await codeOf(t.files.put({ body, declaredSize: 1001 }, "alice"))).toBe("FILE_TOO_LARGE");
    expect(pulled).toBe(false);
  });

  test("an undeclared body is cut as it passes the limit, and leaves no file behind", async () => {
    t = testFiles({ max_file_bytes: 100_000 });
    expect(await codeOf(t.files.put({ body: streamOf(10_000_000) }, "alice"))).toBe("FILE_TOO_LARGE");
    expect(readdirSync(t.dir)).toEqual(["tmp"]);
    expect(readdirSync(join(t.dir, "tmp"))).toEqual([]);
    expect(t.files.store.used()).toBe(0);
  });

  test("the quota counts every stored file and the ones streaming in", async () => {
    t = testFiles({ quota_bytes: 250_000 });
    await t.files.put({ body: streamOf(100_000, 1) }, "alice");
    await t.files.put({ body: streamOf(100_000, 2) }, "alice");
    expect(await codeOf(t.files.put({ body: streamOf(100_000, 3) }, "alice"))).toBe("FILES_QUOTA");
    expect(await codeOf(t.files.put({ body: streamOf(60_000, 4), declaredSize: 60_000 }, "alice"))).toBe("FILES_QUOTA");
    expect(await codeOf(t.files.put({ body: streamOf(40_000, 5) }, "alice"))).toBe("stored");
  });

  test("past rate.files in a window a sender gets FILES_RATE with Retry-After; another sender does not", async () => {
    t = testFiles({ rate: { files: 2, window_s: 60 } });
    for (let i = 0; i < 2; i++) await t.files.put({ body: bytesStream(PNG_1X1) }, "alice");
    const refused = await t.files.put({ body: bytesStream(PNG_1X1) }, "alice").catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).headers["retry-after"]).toBe("60");
    expect(await codeOf(t.files.put({ body: bytesStream(PNG_1X1) }, "bob"))).toBe("stored");
  });

  test("bytes the store holds already are kept at a full quota: they add nothing to it", async () => {
    t = testFiles({ quota_bytes: 250_000, max_file_bytes: 200_000 });
    await t.files.put({ body: streamOf(200_000, 1) }, "alice");
    await t.files.put({ body: streamOf(50_000, 2) }, "alice");
    expect(await codeOf(t.files.put({ body: streamOf(200_000, 1), declaredSize: 200_000 }, "bob"))).toBe("stored");
    expect(await codeOf(t.files.put({ body: streamOf(200_000, 3) }, "bob"))).toBe("FILES_QUOTA");
    // The refused file left nothing behind; the store holds what it held.
    expect(readdirSync(t.dir).filter((n) => n !== "tmp")).toHaveLength(2);
    expect(t.files.store.used()).toBe(250_000);
  });

  test("a refused file does not use up the sender's rate: only files kept count", async () => {
    t = testFiles({ rate: { files: 1, window_s: 60 }, max_file_bytes: 1000, quota_bytes: 2000 });
    expect(await codeOf(t.files.put({ body: streamOf(5000) }, "alice"))).toBe("FILE_TOO_LARGE");
    expect(await codeOf(t.files.put({ body: brokenStream(new Uint8Array(10)) }, "alice"))).toBe("BAD_REQUEST");
    await t.files.put({ body: streamOf(1000, 1) }, "bob");
    await t.files.put({ body: streamOf(1000, 2) }, "carol");
    expect(await codeOf(t.files.put({ body: streamOf(1000, 3) }, "alice"))).toBe("FILES_QUOTA");
    // Each refusal gave its place back: alice's first kept file is still within her rate.
    expect(await codeOf(t.files.put({ body: streamOf(1000, 1) }, "alice"))).toBe("stored");
    expect(await codeOf(t.files.put({ body: streamOf(1000, 1) }, "alice"))).toBe("FILES_RATE");
  });

  test("a body that breaks off mid-upload is BAD_REQUEST and no half file is ever served", async () => {
    t = testFiles();
    expect(await codeOf(t.files.put({ body: brokenStream(new Uint8Array(5000)) }, "alice"))).toBe("BAD_REQUEST");
    expect(readdirSync(t.dir)).toEqual(["tmp"]);
    expect(readdirSync(join(t.dir, "tmp"))).toEqual([]);
  });

  test("a body the front door cuts first (a chunked upload past the route's limit) is FILE_TOO_LARGE too", async () => {
    t = testFiles();
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => controller.error(new GatewayError("BODY_TOO_LARGE", "Body larger than 16777216 bytes")),
    });
    expect(await codeOf(t.files.put({ body }, "alice"))).toBe("FILE_TOO_LARGE");
  });

  test("a remote URL is passed through as a link while remote.fetch is off", async () => {
    t = testFiles();
    expect(await t.files.remote("https://cam.example/snap.jpg", "alice", "snap.jpg")).toEqual({
      kind: "link",
      url: "https://cam.example/snap.jpg",
      name: "snap.jpg",
    });
  });
});

describe("an upload service in place of local serving (the XEP-0363 seam)", () => {
  const took: string[] = [];
  const service = (answer: string | Error): Uploader => ({
    async upload(source) {
      took.push(sha256(await Bun.file(source.path).arrayBuffer()));
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });

  test("it gets the stored bytes and its URL is the file's; the local copy is let go", async () => {
    t = testFiles({}, undefined, service("https://upload.example/slot/door.png"));
    const file = await t.files.put({ body: bytesStream(PNG_1X1), name: "door.png" }, "alice");
    expect(took.at(-1)).toBe(sha256(PNG_1X1));
    expect(file.url).toBe("https://upload.example/slot/door.png");
    expect(await t.files.store.find(file.id)).toBeUndefined();
  });

  test("when it fails: served from here with fallback: local, 502 UPLOAD_FAILED with fallback: refuse", async () => {
    t = testFiles({}, undefined, service(new Error("slot refused")));
    expect((await t.files.put({ body: bytesStream(PNG_1X1) }, "alice")).url).toStartWith(`${PUBLIC_URL}/files/`);
    t.remove();
    t = testFiles({ fallback: "refuse" }, undefined, service(new Error("slot refused")));
    const refused = await t.files.put({ body: bytesStream(PNG_1X1) }, "alice").catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: "UPLOAD_FAILED", status: 502, details: { reason: "slot refused" } });
  });
});
