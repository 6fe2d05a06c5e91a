/**
 * A bound on concurrent password checks: at most `maxActive` run at once, later ones wait in a
 * first-come queue of at most `maxQueued`. Past that, or when a check cannot start before its
 * deadline, the caller gets 503 AUTH_BUSY at once rather than piling up logins on the server.
 */
import { GatewayError } from "../../errors.ts";

export interface Limiter {
  /** Runs `work` when a slot is free, if that happens before `deadline` (epoch ms). */
  run<T>(work: () => Promise<T>, deadline: number): Promise<T>;
}

interface Waiter {
  start(): void;
  timer: ReturnType<typeof setTimeout>;
}

export function createLimiter(maxActive: number, maxQueued: number, now: () => number = Date.now): Limiter {
  let active = 0;
  const queue: Waiter[] = [];
  const busy = () => new GatewayError("AUTH_BUSY", undefined, { headers: { "retry-after": "1" } });
  const next = () => {
    active--;
    const waiter = queue.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiter.start();
  };
  const slot = (deadline: number) =>
    new Promise<void>((resolve, reject) => {
      if (active < maxActive) return resolve(void active++);
      if (queue.length >= maxQueued) return reject(busy());
      const waiter: Waiter = {
        start: () => resolve(void active++),
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(busy());
        }, Math.max(0, deadline - now())),
      };
      queue.push(waiter);
    });
  return {
    async run(work, deadline) {
      await slot(deadline);
      try {
        return await work();
      } finally {
        next();
      }
    },
  };
}
