// A FilesPort for the unit tier: files stream into a temp dir, each put is recorded with its bytes'
// SHA-256, and a file past `maxFileBytes` is FILE_TOO_LARGE while it streams, as the real store
// answers (src/files/). Remote URLs are links, as the real one's default. Integration tests use
// the real store.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Attachment, FilesPort, IncomingFile, StoredFile } from "../../src/files/types.ts";
import { GatewayError } from "../../src/plugin-api/errors.ts";

export interface TempFiles extends FilesPort {
  /** Every file stored, in order, with who sent it. */
  stored: Array<StoredFile & { sender: string }>;
  /** Every remote URL asked for. */
  remotes: Array<{ url: string; sender: string; name?: string | undefined }>;
  /** The ids of every file forgotten (a refused request's). */
  forgotten: string[];
  remove(): void;
}

export function tempFiles(maxFileBytes = 1_000_000): TempFiles {
  const dir = mkdtempSync(join(tmpdir(), "stanzagate-files-"));
  const stored: TempFiles["stored"] = [];
  const remotes: TempFiles["remotes"] = [];
  const forgotten: string[] = [];
  return {
    stored,
    remotes,
    forgotten,
    async put(file: IncomingFile, sender: string): Promise<StoredFile> {
      if ((file.declaredSize ?? 0) > maxFileBytes) throw new GatewayError("FILE_TOO_LARGE");
      const hash = createHash("sha256");
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of file.body) {
        size += chunk.byteLength;
        if (size > maxFileBytes) {
          await file.body.cancel().catch(() => {});
          throw new GatewayError("FILE_TOO_LARGE");
        }
        hash.update(chunk);
        chunks.push(chunk);
      }
      const id = randomBytes(16).toString("hex");
      const name = (file.name ?? "file").replace(/[^\w.-]/g, "_") || "file";
      await Bun.write(join(dir, id), Buffer.concat(chunks));
      const one = {
        id,
        name,
        type: "application/octet-stream",
        size,
        sha256: hash.digest("hex"),
        url: `https://gw.example/files/${id}/${name}`,
      };
      stored.push({ ...one, sender });
      return one;
    },
    async remote(url: string, sender: string, name?: string): Promise<Attachment> {
      remotes.push({ url, sender, name });
      return { kind: "link", url, name };
    },
    forget: async (files) => void forgotten.push(...files.map((f) => f.id)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
