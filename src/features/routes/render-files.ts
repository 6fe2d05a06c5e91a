/**
 * `stanzagate render` of a route with `attach:`: its files stored as `serve` stores them (limits,
 * sniffed type, safe name, the URL a client would get), in a temporary folder removed when the
 * command ends. Without http.public_url there is none, and the route answers ATTACHMENTS_OFF.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadedConfig } from "../../config/load.ts";
import { filesService } from "../../files/service.ts";
import { FileStore } from "../../files/store.ts";
import type { FilesPort } from "../../files/types.ts";
import { openStore } from "../../store/db.ts";
import { sqliteStore } from "../../store/sqlite/index.ts";
import { silentLogger } from "../../log.ts";

export function renderFiles(config: LoadedConfig): { port: FilesPort | undefined; remove(): void } {
  const publicUrl = config.http.public_url;
  if (publicUrl === undefined) return { port: undefined, remove: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "stanzagate-render-files-"));
  const db = openStore(":memory:");
  const store = new FileStore(sqliteStore(db), join(dir, "files"));
  return {
    // A write that fails answers STORE_UNAVAILABLE, which render prints; why is of a temporary folder of its own.
    port: filesService({ settings: config.attachments, store, publicUrl, log: silentLogger }),
    remove() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
