/**
 * Files per sender in a fixed window (attachments.rate): a camera that fires in a loop, or a
 * leaked token, fills the quota for everyone else otherwise. Bounded: a window's counts are
 * dropped whole when it ends, so memory holds at most the senders of one window.
 */
export interface FileRate {
  /** Counts one file of `sender`: undefined when allowed, else the seconds until its window ends. */
  take(sender: string): number | undefined;
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
      if (count > limit.files) return Math.max(1, Math.ceil((start + windowMs - at) / 1000));
      counts.set(sender, count);
      return undefined;
    },
  };
}
