// One specification of the files' bytes (src/files/blob-store.ts BlobStore), run against each
// keeper: files on disk beside a SQLite store (test/unit/files/blobs.test.ts) and chunks in a
// PostgreSQL store (test/integration/store/files-postgres.test.ts). Each store given here has
// no grace: a blob no row names is removed at once.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { BlobCut, type BlobStore } from "../../src/files/blob-store.ts";
import { brokenStream, bytesStream, sha256 } from "./file-store.ts";

/** A fresh, empty keeper, and how to let it go. */
export type OpenBlobs = () => Promise<{ blobs: BlobStore; close(): Promise<void> }>;

/** 600,000 bytes that are not all the same (a chunk border in the wrong place shows). */
const BYTES = Uint8Array.from({ length: 600_000 }, (_, i) => (i * 7 + (i >> 10)) % 251);

const bytesOf = async (body: Blob | ReadableStream<Uint8Array> | undefined) => new Uint8Array(await new Response(body).arrayBuffer());

export function describeBlobs(open: OpenBlobs): void {
  test("a body streamed in is named by its SHA-256 and read back whole, byte for byte", async () => {
    const { blobs, close } = await open();
    const blob = await blobs.write(bytesStream(BYTES), () => true);
    expect(blob).toMatchObject({ sha256: sha256(BYTES), size: BYTES.length, head: BYTES.slice(0, blob.head.length) });
    expect(await blobs.has(blob.sha256)).toBe(true);
    expect(await blobs.list()).toEqual([blob.sha256]);
    expect(sha256(await bytesOf(await blobs.read(blob.sha256)))).toBe(blob.sha256);
    await close();
  });

  test("a range is read from its first to its last byte, both included, wherever chunks begin", async () => {
    const { blobs, close } = await open();
    const { sha256: sha } = await blobs.write(bytesStream(BYTES), () => true);
    for (const [start, end] of [
      [0, 0],
      [262_143, 262_144],
      [100_000, 599_999],
      [524_288, 524_300],
    ] as const)
      expect(await bytesOf(await blobs.read(sha, { start, end }))).toEqual(BYTES.slice(start, end + 1));
    await close();
  });

  test("the same bytes twice are one blob; an empty body is a blob too", async () => {
    const { blobs, close } = await open();
    const [a, b] = [await blobs.write(bytesStream(BYTES), () => true), await blobs.write(bytesStream(BYTES), () => true)];
    expect(a.sha256).toBe(b.sha256);
    const empty = await blobs.write(bytesStream(new Uint8Array(0)), () => true);
    expect((await blobs.list()).sort()).toEqual([a.sha256, empty.sha256].sort());
    expect((await bytesOf(await blobs.read(empty.sha256))).length).toBe(0);
    await close();
  });

  test("a body admit() cuts, or one that breaks off, leaves nothing a reader can find", async () => {
    const { blobs, close } = await open();
    const limited = await blobs.write(bytesStream(BYTES), (total) => total <= 300_000).catch((err: unknown) => err);
    expect(limited).toMatchObject({ name: "BlobCut", reason: "limit" });
    const broken = await blobs.write(brokenStream(BYTES.slice(0, 300_000)), () => true).catch((err: unknown) => err);
    expect(broken).toBeInstanceOf(BlobCut);
    expect((broken as BlobCut).reason).toBe("body");
    expect(await blobs.list()).toEqual([]);
    expect([await blobs.has(sha256(BYTES)), await blobs.read(sha256(BYTES))]).toEqual([false, undefined]);
    await close();
  });

  test("withFile lends the bytes as a file; removeUnnamed and remove take the blob away", async () => {
    const { blobs, close } = await open();
    const { sha256: sha } = await blobs.write(bytesStream(BYTES), () => true);
    expect(await blobs.withFile(sha, async (path) => sha256(readFileSync(path)))).toBe(sha);
    await blobs.removeUnnamed(sha);
    expect(await blobs.has(sha)).toBe(false);
    const again = await blobs.write(bytesStream(BYTES.slice(1)), () => true);
    await blobs.remove(again);
    expect(await blobs.list()).toEqual([]);
    await close();
  });
}
