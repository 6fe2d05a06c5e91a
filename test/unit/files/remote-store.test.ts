// attachments.remote.fetch on: FilesPort.remote fetches the URL through the guard and stores it
// like an upload (sniffed, content-addressed); the fetch's own refusals and cuts reach the
// sender as their codes, and a cut file leaves nothing behind.
import { afterAll, afterEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attachmentsOf } from "../../../src/config/check-attachments.ts";
import { remoteFetcher } from "../../../src/files/remote.ts";
import { filesService } from "../../../src/files/service.ts";
import { FileStore } from "../../../src/files/store.ts";
import { GatewayError } from "../../../src/plugin-api/errors.ts";
import { openStore } from "../../../src/store/db.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { silentLogger } from "../../../src/log.ts";
import { PUBLIC_URL } from "../../helpers/file-store.ts";

const PNG_1X1 = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e5273eb10000000049454e44ae426082",
  "hex",
);
const endless = new Uint8Array(64 * 1024);
/** Requests the camera answered: a refusal before the fetch leaves it untouched. */
let asked = 0;
const camera = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req) {
    asked++;
    if (new URL(req.url).pathname !== "/endless") return new Response(PNG_1X1);
    return new Response(new ReadableStream({ pull: (c) => c.enqueue(endless) }));
  },
});
afterAll(() => camera.stop(true));
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A files service as a generation builds it, with `remote:` as routes.yaml gives it. */
function filesWith(remote: Record<string, unknown>, limits: Record<string, unknown> = {}) {
  const root = mkdtempSync(join(tmpdir(), "sg-remote-"));
  roots.push(root);
  const settings = attachmentsOf({ remote, ...limits });
  const store = new FileStore(sqliteStore(openStore(":memory:")), join(root, "files"));
  const files = filesService({ settings, store, publicUrl: PUBLIC_URL, fetchRemote: remoteFetcher(settings.remote), log: silentLogger });
  return { files, dir: join(root, "files") };
}

test("a remote URL is fetched, sniffed and stored, and the message links the gateway's copy", async () => {
  const { files } = filesWith({ fetch: true, allow: ["127.0.0.1/32"] });
  const attachment = await files.remote(`http://127.0.0.1:${camera.port}/door.jpg`, "alice");
  if (attachment.kind !== "file") throw new Error(`expected a stored file, got ${JSON.stringify(attachment)}`);
  // The name is the URL's, its extension made to say what the bytes are (the store sniffs them).
  expect(attachment.file).toMatchObject({ name: "door.png", type: "image/png", size: PNG_1X1.byteLength });
  expect(attachment.file.sha256).toBe(createHash("sha256").update(PNG_1X1).digest("hex"));
  expect(attachment.file.url).toStartWith(`${PUBLIC_URL}/files/${attachment.file.id}/`);
});

test("the guard's refusal reaches the sender: loopback is not fetched unless allowed", async () => {
  const { files } = filesWith({ fetch: true });
  const refused = await files.remote(`http://127.0.0.1:${camera.port}/door.jpg`, "alice").catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(GatewayError);
  expect([(refused as GatewayError).code, (refused as GatewayError).status]).toEqual(["REMOTE_REFUSED", 400]);
});

test("a remote file past remote.max_bytes is cut while it streams: FILE_TOO_LARGE and no file left", async () => {
  const { files, dir } = filesWith({ fetch: true, allow: ["127.0.0.1/32"], max_bytes: 200_000 });
  const cut = await files.remote(`http://127.0.0.1:${camera.port}/endless`, "alice").catch((err: unknown) => err);
  expect(cut).toBeInstanceOf(GatewayError);
  expect([(cut as GatewayError).code, (cut as GatewayError).message]).toEqual([
    "FILE_TOO_LARGE",
    `The file at http://127.0.0.1:${camera.port} is larger than attachments.remote.max_bytes (200000 bytes): it sent more than 200000 bytes`,
  ]);
  expect(readdirSync(dir).flatMap((entry) => (entry === "tmp" ? readdirSync(join(dir, "tmp")) : [entry]))).toEqual([]);
});

test("a sender past its rate is refused before the fetch: the remote server is not asked", async () => {
  const { files } = filesWith({ fetch: true, allow: ["127.0.0.1/32"] }, { rate: { files: 1, window_s: 60 } });
  expect((await files.remote(`http://127.0.0.1:${camera.port}/a.png`, "alice")).kind).toBe("file");
  const before = asked;
  const refused = await files.remote(`http://127.0.0.1:${camera.port}/b.png`, "alice").catch((err: unknown) => err);
  expect([(refused as GatewayError).code, asked - before]).toEqual(["FILES_RATE", 0]);
});
