/**
 * Capped exponential backoff with jitter, so that many gateways restarted together do not all
 * knock on the server at the same instant.
 */
export interface Backoff {
  /** The delay before the next attempt; each call doubles the next one, up to the cap. */
  next(): number;
  reset(): void;
}

export function createBackoff(initialMs: number, maxMs: number, random: () => number = Math.random): Backoff {
  let attempt = 0;
  return {
    next() {
      const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt++, 30));
      return Math.round(base * (0.8 + 0.4 * random()));
    },
    reset() {
      attempt = 0;
    },
  };
}
