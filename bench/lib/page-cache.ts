/**
 * Drops a file's pages from the kernel's page cache: written to disk first (`sync FILE`: dirty
 * pages are not dropped), then GNU dd's `iflag=nocache count=0` advises POSIX_FADV_DONTNEED over
 * the whole file. The resident pages of an executable depend on what of
 * it is cached: a fault maps the cached pages around it (fault-around), and a file just written
 * by the compiler or `cp` is cached whole. Two builds compared for idle RSS are evicted first, so
 * that each is read back from disk the same way: without it, a byte-identical copy of one build
 * measured 1.6 MB more than the original (bench/README.md, round 4).
 */
export function evictFromPageCache(...files: string[]): void {
  for (const file of files) {
    for (const command of [
      ["sync", file],
      ["dd", `if=${file}`, "iflag=nocache", "count=0", "status=none"],
    ]) {
      const run = Bun.spawnSync(command);
      if (run.exitCode !== 0) throw new Error(`${command.join(" ")}: ${run.stderr.toString().trim()}`);
    }
  }
}
