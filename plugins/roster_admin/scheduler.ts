/**
 * Runs syncs at most `concurrency` at a time, and one at a time per user: a refresh and a login
 * of the same user never interleave their reads and writes of that roster.
 */
export interface Scheduler {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves when every sync started so far has ended (or `timeoutMs` passed). */
  idle(timeoutMs: number): Promise<void>;
}

export function createScheduler(concurrency: number): Scheduler {
  const limit = createLimiter(concurrency);
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(noop, noop).then(() => limit(task));
      tails.set(key, next);
      const forget = () => void (tails.get(key) === next && tails.delete(key));
      next.then(forget, forget);
      return next;
    },
    async idle(timeoutMs) {
      await Promise.race([Promise.allSettled([...tails.values()]), Bun.sleep(timeoutMs)]);
    },
  };
}

function createLimiter(max: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async function limit<T>(task: () => Promise<T>): Promise<T> {
    // Each release wakes exactly one waiter, which then finds a free slot.
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const wake = waiting.shift();
      if (wake) wake();
      else active--;
    }
  };
}

function noop(): void {}
