/**
 * Whether the store can still keep what Stanzagate promises to keep. A failed write (disk full, a
 * read-only file) is a fault until a probe write succeeds again; a store file removed or replaced
 * while running is a fault until restart, since whatever is queued from then on would be lost at
 * the next start. Either way callers are told (503) instead of getting a 202 that may not hold.
 */
import { statSync } from "node:fs";
import type { Logger } from "../log.ts";
import type { Store } from "./types.ts";
import { storeFailureReason } from "./unavailable.ts";

export interface StoreHealth {
  /** Why the store cannot be trusted now, or undefined. */
  fault(): string | undefined;
  /** False after a failed write: draining would resend rows it cannot forget (a resend storm). */
  writable(): boolean;
  /** Records a failed write. */
  failed(op: string, err: unknown): void;
  /** The periodic check: is the file still the one open, and can a failed store be written again? */
  check(): Promise<void>;
}

/**
 * `path`: the SQLite file whose replacement is a fault; none for a PostgreSQL store, which is
 * probed at every check instead (review of issue 26, finding 3): a database that went away while
 * nothing wrote is a fault /health must show before a sender or a balancer finds out.
 */
export function createStoreHealth(store: Store, path: string | undefined, log: Logger): StoreHealth {
  const identity = path === undefined ? undefined : fileIdentity(path);
  const remote = store.kind === "postgres";
  let writeFault: string | undefined;
  let gone: string | undefined;
  let probing = false;
  const health: StoreHealth = {
    fault: () => gone ?? writeFault,
    writable: () => writeFault === undefined,
    failed(op, err) {
      const reason = `${op} failed: ${storeFailureReason(err)}`;
      if (writeFault === undefined) log.error("the store cannot be written; queueing and draining stop until it recovers", { reason });
      writeFault = reason;
    },
    async check() {
      if (path !== undefined && identity !== undefined && gone === undefined && fileIdentity(path) !== identity) {
        gone = `the store file ${path} was removed or replaced while running; restart Stanzagate once it is back`;
        log.error("store file lost", { store: path });
      }
      // One probe at a time: a store that does not answer takes its whole bound (bounded.ts).
      if ((writeFault === undefined && !remote) || probing) return;
      probing = true;
      try {
        await store.probe();
        if (writeFault !== undefined) log.info("the store can be written again", { was: writeFault });
        writeFault = undefined;
      } catch (err) {
        // Still failing (or newly): the next check tries again.
        if (writeFault === undefined) health.failed("probing the store", err);
      } finally {
        probing = false;
      }
    },
  };
  return health;
}

/** device:inode of the file, or undefined for ":memory:"; "missing" once it is gone. */
function fileIdentity(path: string): string | undefined {
  if (path === ":memory:" || path === "") return undefined;
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return "missing";
  }
}
