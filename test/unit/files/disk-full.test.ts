// A disk that fills while a file is written (review of issue 21, finding 1): write(2) then
// answers a short count without an error, and ENOSPC only at the next write. A file whose last
// chunk was cut short must never be named by the hash of the whole stream and served.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canMountTmpfs, mountTinyDisk, type TinyDisk } from "../../helpers/tiny-disk.ts";
import { testFiles } from "../../helpers/file-store.ts";

/** The chunks of a chunked upload, one after the other. */
function chunks(...sizes: number[]): ReadableStream<Uint8Array> {
  const parts = sizes.map((n, i) => new Uint8Array(n).fill(i + 1));
  return new ReadableStream({
    pull(controller) {
      const part = parts.shift();
      if (part) controller.enqueue(part);
      else controller.close();
    },
  });
}

const tmpfs = canMountTmpfs();
let disk: TinyDisk;
beforeEach(() => {
  if (tmpfs) disk = mountTinyDisk("2m");
});
afterEach(() => disk?.remove());

/** Fills the disk but for `room` bytes. */
function leaveRoom(room: number): void {
  writeFileSync(join(disk.dir, "reserve"), new Uint8Array(room));
  disk.fill();
  rmSync(join(disk.dir, "reserve"));
}

test.skipIf(!tmpfs)("a last chunk the disk takes only part of: 507 FILES_STORE_FULL, nothing named, nothing served", async () => {
  const t = testFiles({}, disk.dir);
  leaveRoom(57_344);
  // 40,000 bytes fit; of the last 20,000 the kernel writes what fits and says so, without an error.
  const refused = await t.files.put({ body: chunks(40_000, 20_000) }, "cam").catch((err: unknown) => err);
  expect(refused).toMatchObject({ code: "FILES_STORE_FULL", status: 507 });
  expect(readdirSync(t.dir)).toEqual(["tmp"]);
  expect(readdirSync(join(t.dir, "tmp"))).toEqual([]);
});
