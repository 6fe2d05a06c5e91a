// What docs/files.md and docs/formats.md say of the files is what the gateway does (review of
// issue 21, findings 7 and 8).
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore } from "../../../src/files/store.ts";
import { openStore } from "../../../src/store/db.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { bytesStream, PNG_1X1 } from "../../helpers/file-store.ts";

const doc = (name: string) => Bun.file(join(import.meta.dir, "../../../docs", name)).text();

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

test("formats.md: ntfy's 'Not served' list does not name the file uploads its Files paragraph serves", async () => {
  const ntfy = (await doc("formats.md")).split("\n## ntfy")[1]?.split("\n## ")[0] ?? "";
  expect(ntfy).toContain("**Files.**");
  const notServed = ntfy.slice(ntfy.indexOf("Not served:")).split("\n\n")[0] ?? "";
  expect(notServed).toStartWith("Not served:");
  expect(notServed).not.toMatch(/file/i);
});

test("files.md: an expired file's bytes stay until 10 minutes after they were stored, as a sweep keeps them", async () => {
  dir = mkdtempSync(join(tmpdir(), "sg-files-"));
  const clock = { now: Date.now() };
  // The store's own grace (no graceMs given): a blob younger than it is never swept.
  const store = new FileStore(sqliteStore(openStore(":memory:")), join(dir, "files"), () => clock.now);
  const row = await store.add(bytesStream(PNG_1X1), "a.png", 60, () => true);
  clock.now += 120_000;
  await store.sweep();
  expect(await store.find(row.id)).toBeUndefined();
  expect(existsSync(store.blobs.path(row.sha256))).toBe(true);
  const expireRow = (await doc("files.md")).split("\n").find((line) => line.startsWith("| `attachments.expire`")) ?? "";
  expect(expireRow).toContain("never sooner than 10 minutes after");
});
