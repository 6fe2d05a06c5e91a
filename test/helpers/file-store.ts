// A file store on a fresh temporary directory and an in-memory database, with the limits a test
// gives (attachments: defaults otherwise), and bodies that stream as an upload does.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { silentLogger } from "../../src/log.ts";
import { attachmentsOf } from "../../src/config/check-attachments.ts";
import { filesService, type FilesService } from "../../src/files/service.ts";
import { FileStore } from "../../src/files/store.ts";
import type { Uploader } from "../../src/files/uploader.ts";

export const PUBLIC_URL = "https://gw.example.org/base";

export interface TestFiles {
  files: FilesService;
  dir: string;
  clock: { now: number };
  remove(): void;
}

/** `settings`: keys of attachments: as routes.yaml gives them; `dir` a folder of the test's (a tmpfs). */
export function testFiles(settings: Record<string, unknown> = {}, dir?: string, uploader?: Uploader): TestFiles {
  const root = dir ?? mkdtempSync(join(tmpdir(), "sg-files-"));
  const clock = { now: Date.UTC(2026, 0, 1) };
  const store = new FileStore(sqliteStore(openStore(":memory:")), join(root, "files"), () => clock.now, 0);
  const files = filesService({ settings: attachmentsOf(settings), store, publicUrl: PUBLIC_URL, uploader, log: silentLogger });
  return { files, dir: join(root, "files"), clock, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** `total` bytes of `byte`, streamed in chunks of `chunk` bytes, made as they are read (never held whole). */
export function streamOf(total: number, byte = 0x61, chunk = 65_536): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(chunk, total - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n).fill(byte));
    },
  });
}

export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([bytes]).stream();
}

/** A stream that sends `bytes` then fails, as a client that hangs up mid-upload. */
export function brokenStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) return controller.error(new Error("connection reset"));
      sent = true;
      controller.enqueue(bytes);
    },
  });
}

/** The smallest valid PNG (1x1, transparent). */
export const PNG_1X1 = Uint8Array.from(
  Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64"),
);

export const sha256 = (bytes: Uint8Array | ArrayBuffer): string => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
