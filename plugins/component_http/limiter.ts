/**
 * A bound on concurrent webhook calls: at most `maxActive` tasks run, at most `maxQueued` wait,
 * and a task beyond both is refused at once so a slow webhook cannot grow memory without end.
 */
export interface Limiter {
  /** Runs `task` now or when a slot frees; `undefined` when the queue is full (task not run). */
  run<T>(task: () => Promise<T>): Promise<T> | undefined;
}

export function createLimiter(maxActive: number, maxQueued: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    const next = waiting.shift();
    if (next) next();
  };
  const start = async <T>(task: () => Promise<T>): Promise<T> => {
    active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
  return {
    run<T>(task: () => Promise<T>): Promise<T> | undefined {
      if (active < maxActive) return start(task);
      if (waiting.length >= maxQueued) return undefined;
      return new Promise<T>((resolve, reject) => {
        waiting.push(() => void start(task).then(resolve, reject));
      });
    },
  };
}
