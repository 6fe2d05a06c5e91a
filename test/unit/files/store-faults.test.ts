// What the disk under the file store does to an upload (review of issue 21): a disk that fills
// while a file is written (write(2) answers a short count without an error, ENOSPC only at the
// next write), and one that refuses every write. A file cut short is never named by the hash of
// the whole stream and served; why a write failed goes to the log, never to the sender.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canMountTmpfs, mountTinyDisk, type TinyDisk } from "../../helpers/tiny-disk.ts";
import { testFiles } from "../../helpers/file-store.ts";
import { createLogger } from "../../../src/log.ts";
import { errorResponse } from "../../../src/plugin-api/errors.ts";
import { openStore } from "../../../src/store/db.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { attachmentsOf } from "../../../src/config/check-attachments.ts";
import { filesService } from "../../../src/files/service.ts";
import { FileStore } from "../../../src/files/store.ts";

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

test.skipIf(!tmpfs)("a folder that refuses writes: 503 STORE_UNAVAILABLE without the server's path, which the log has", async () => {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const store = new FileStore(sqliteStore(openStore(":memory:")), join(disk.dir, "files"));
  const files = filesService({ settings: attachmentsOf({}), store, publicUrl: "https://gw.example.org", log });
  expect(Bun.spawnSync(["mount", "-o", "remount,ro", disk.dir]).exitCode).toBe(0);
  const refused = await files.put({ body: chunks(100) }, "cam").catch((err: unknown) => err);
  const answer = errorResponse(refused);
  expect(answer.status).toBe(503);
  expect(await answer.json()).toEqual({ error: "The file could not be written to the store", code: "STORE_UNAVAILABLE" });
  expect(lines).toContainEqual(
    expect.objectContaining({ level: "warn", msg: "a file could not be written to the store", err: expect.stringContaining(`EROFS`) }),
  );
});
