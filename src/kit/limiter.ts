/**
 * A bound on concurrent work: at most `maxActive` tasks run, at most `maxQueued` wait in a
 * first-come queue, and a task beyond both is refused at once, so a slow webhook, web app or
 * password check cannot grow memory (or pile up work on the XMPP server) without end. Used by
 * component_http (webhook calls), roster_admin (syncs) and the xmpp auth scheme (logins).
 */
export interface Limiter {
  /**
   * Runs `task` now or when a slot frees; `undefined` when the queue is full (task not run).
   * With `deadline` (epoch ms), a task still waiting then is dropped: the promise rejects with
   * LimiterTimeout.
   */
  run<T>(task: () => Promise<T>, deadline?: number): Promise<T> | undefined;
}

/** A queued task whose deadline passed before a slot freed. */
export class LimiterTimeout extends Error {
  constructor() {
    super("no free slot before the deadline");
    this.name = "LimiterTimeout";
  }
}

interface Waiter {
  start(): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export function createLimiter(maxActive: number, maxQueued = Number.POSITIVE_INFINITY, now: () => number = Date.now): Limiter {
  let active = 0;
  const queue: Waiter[] = [];
  const release = () => {
    active--;
    const waiter = queue.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiter.start();
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
    run<T>(task: () => Promise<T>, deadline?: number): Promise<T> | undefined {
      if (active < maxActive) return start(task);
      if (queue.length >= maxQueued) return undefined;
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter = { start: () => void start(task).then(resolve, reject), timer: undefined };
        if (deadline !== undefined) {
          waiter.timer = setTimeout(
            () => {
              queue.splice(queue.indexOf(waiter), 1);
              reject(new LimiterTimeout());
            },
            Math.max(0, deadline - now()),
          );
        }
        queue.push(waiter);
      });
    },
  };
}
