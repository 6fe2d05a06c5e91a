/**
 * Files per sender in a fixed window (attachments.rate): a camera that fires in a loop, or a
 * leaked token, fills the quota for everyone else otherwise. Only files kept count: a file
 * taken and then refused (too large, the quota, the disk, a broken upload) gives its place back,
 * since it filled nothing. Bounded: a window's counts are dropped whole when it ends, so memory
 * holds at most the senders of one window.
 */

/** A file counted: `giveBack` when it is not kept after all (a no-op once its window has ended). */
export type Taken = { giveBack(): void };

export interface FileRate {
  /** Counts one file of `sender`: Taken when allowed, else the seconds until its window ends. */
  take(sender: string): Taken | { wait: number };
}

export function fileRate(limit: { files: number; window_s: number }, now: () => number = Date.now): FileRate {
  const windowMs = limit.window_s * 1000;
  let start = now();
  let counts = new Map<string, number>();
  return {
    take(sender) {
      const at = now();
      if (at - start >= windowMs) {
        start = at - ((at - start) % windowMs);
        counts = new Map();
      }
      const count = (counts.get(sender) ?? 0) + 1;
      if (count > limit.files) return { wait: Math.max(1, Math.ceil((start + windowMs - at) / 1000)) };
      counts.set(sender, count);
      const window = counts;
      return { giveBack: () => void window.set(sender, Math.max(0, (window.get(sender) ?? 1) - 1)) };
    },
  };
}
