/**
 * Runs syncs at most `concurrency` at a time, and one at a time per user: a refresh and a login
 * of the same user never interleave their reads and writes of that roster. The limiter has no
 * queue bound (every sync waits its turn), so `run` never refuses.
 */
import { createLimiter } from "../../src/kit/limiter.ts";

export interface Scheduler {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves when every sync started so far has ended (or `timeoutMs` passed). */
  idle(timeoutMs: number): Promise<void>;
}

export function createScheduler(concurrency: number): Scheduler {
  const limiter = createLimiter(concurrency);
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(noop, noop).then(() => limiter.run(task) as Promise<T>);
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

function noop(): void {}
