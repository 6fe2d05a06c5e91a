// A clock the test moves (bots/jobs.ts `Clock`): timers fire when `advance` passes their time.
import type { Clock } from "../../src/features/bots/jobs.ts";

export function fakeClock(start = 1_000_000) {
  let now = start;
  const timers = new Map<number, { at: number; run: () => void }>();
  let n = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (run, ms) => (timers.set(++n, { at: now + ms, run }), n),
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers]) if (t.at <= now) timers.delete(id), t.run();
  };
  return { clock, timers, advance };
}
