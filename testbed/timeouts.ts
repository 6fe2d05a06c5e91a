// Bounded waits. Timers are always cleared, so a finished wait never holds the
// event loop open (a benchmark script must be able to exit right after stop()).

/** Whether `promise` settles (either way) within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = promise.then(
    () => true,
    () => true,
  );
  return withTimeout(settled, ms, () => false);
}

/** `promise`'s outcome, or `onTimeout()`'s (a value, or a throw) after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How often `waitFor` looks again, unless its caller knows better. */
const POLL_INTERVAL_MS = 20;

/** More to say when a wait runs out: the end of a log, a process's stderr. */
export type Detail = () => string | Promise<string>;

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/** What `waitFor` throws when its bound runs out (and only then). */
export class WaitTimedOut extends Error {}

/** For `.catch()` after a `waitFor` whose caller goes on when the bound runs out: rethrows anything else. */
export function unlessTimedOut(err: unknown): undefined {
  if (err instanceof WaitTimedOut) return undefined;
  throw err;
}

/**
 * The one poll-until of the tests, test bed and benchmark: checks `condition` every `everyMs`
 * until it returns something truthy, and returns that. At `timeoutMs` it throws, naming `what`
 * was awaited (and `detail()`). A condition that throws ends the wait with its error: a process
 * that has exited will never come online. For things that are observable but send no event
 * (a status field, /health, a log file, a row), not a pause: nothing here waits for a fixed time.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
  detail?: Detail,
  everyMs = POLL_INTERVAL_MS,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await condition();
    if (seen) return seen as Truthy<T>;
    if (Date.now() > deadline) {
      throw new WaitTimedOut(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${await detail()}` : ""}`);
    }
    await Bun.sleep(everyMs);
  }
}
