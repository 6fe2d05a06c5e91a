/**
 * Every store operation a request waits on, bounded (review of issue 26, finding 7). A PostgreSQL
 * host that stops answering (gone, a firewall dropping packets, a stuck server) keeps TCP open, and
 * Bun's client then waits without end: requests would hang for minutes and be carried out long
 * after their senders gave up. Past STORE_TIMEOUT_MS an operation is answered STORE_UNAVAILABLE
 * (503, Retry-After); a driver error is too, so that every format says "the store", not 500.
 *
 * The statement itself cannot be called back: a write that reaches the server after its caller
 * was told 503 still commits (docs/operations.md says what a sender may see: a retry repeats it).
 */
import { GatewayError } from "../plugin-api/errors.ts";
import type { Store } from "./types.ts";
import { storeUnavailable } from "./unavailable.ts";

/** How long a request waits for one store operation: well above a healthy round trip, below a sender's patience. */
const STORE_TIMEOUT_MS = 5_000;

/** Long-lived by design: a drain's claims, a LISTEN subscription, closing the pool. */
const UNBOUNDED = new Set(["holding", "listen", "follow", "close"]);

export function boundedStore(store: Store, timeoutMs = STORE_TIMEOUT_MS): Store {
  const sections = Object.fromEntries(
    Object.entries(store).map(([name, value]) => [
      name,
      typeof value === "object" && value !== null ? boundSection(value, timeoutMs) : value,
    ]),
  );
  return { ...store, ...sections, probe: bound(store.probe, "probe", timeoutMs), close: store.close } as Store;
}

function boundSection(section: object, timeoutMs: number): object {
  const methods = Object.entries(section).map(([name, value]) => [
    name,
    typeof value === "function" && !UNBOUNDED.has(name) ? bound(value as (...args: unknown[]) => unknown, name, timeoutMs) : value,
  ]);
  return Object.fromEntries(methods);
}

/** The same function; a promise it answers is raced against the bound (a synchronous answer passes as is). */
function bound<F extends (...args: never[]) => unknown>(fn: F, name: string, timeoutMs: number): F {
  return ((...args: Parameters<F>) => {
    const answer = fn(...args);
    return answer instanceof Promise ? within(answer, name, timeoutMs) : answer;
  }) as F;
}

async function within<T>(answer: Promise<T>, name: string, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(storeUnavailable(`the store did not answer within ${timeoutMs / 1000} s (${name})`)), timeoutMs);
  });
  try {
    return await Promise.race([answer, late]);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw storeUnavailable(err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(timer);
  }
}
