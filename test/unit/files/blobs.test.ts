// The files' bytes on disk beside a SQLite store (src/files/blobs.ts), against the one
// specification every keeper of them meets (test/helpers/blob-conformance.ts).
import { describe } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Blobs } from "../../../src/files/blobs.ts";
import { describeBlobs } from "../../helpers/blob-conformance.ts";

describe("blobs on disk", () =>
  describeBlobs(async () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-blobs-"));
    return { blobs: new Blobs(join(dir, "files"), 0), close: async () => rmSync(dir, { recursive: true, force: true }) };
  }));
