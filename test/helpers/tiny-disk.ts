// A disk that really fills: a tmpfs of a few MB mounted for one test (root only), and a filler file
// written until the kernel answers ENOSPC. SQLite then fails its next write with SQLITE_FULL, as it
// would on a full disk in production; nothing of the store is faked.
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN): tried once, on a 64 kB one. */
export function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), "sg-mount-"));
  const ok = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]).exitCode === 0;
  if (ok) Bun.spawnSync(["umount", dir]);
  rmSync(dir, { recursive: true, force: true });
  return ok;
}

export interface TinyDisk {
  dir: string;
  /** Writes a filler file until the disk refuses another byte. */
  fill(): void;
  /** Deletes the filler: the disk has room again. */
  free(): void;
  /** Unmounts and removes the mount point. */
  remove(): void;
}

export function mountTinyDisk(size = "2m"): TinyDisk {
  const dir = mkdtempSync(join(tmpdir(), "sg-disk-"));
  const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  if (mounted.exitCode !== 0) throw new Error(`mount tmpfs on ${dir}: ${mounted.stderr.toString()}`);
  const filler = join(dir, "filler");
  return {
    dir,
    fill() {
      // Large chunks first, then smaller ones until not even 512 bytes fit.
      for (const chunk of [1 << 16, 1 << 12, 1 << 9]) {
        try {
          for (;;) appendFileSync(filler, Buffer.alloc(chunk));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
        }
      }
    },
    free: () => rmSync(filler, { force: true }),
    remove() {
      Bun.spawnSync(["umount", "-l", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
