// A bounded HTTP load for the fault suite: `total` requests, `concurrency` at a time, each with a
// unique index the caller puts in the message text, so what a client receives can be matched
// with what the gateway answered.
//
// A request the transport failed (connection refused or reset, as when the gateway was just
// SIGKILLed) is recorded as "network" and its worker then waits for `resume` before going on, so
// an outage does not burn the remaining requests in a tight loop of refusals.
import { withTimeout } from "../../testbed/timeouts.ts";

export interface LoadOptions {
  total: number;
  concurrency: number;
  /** Sends request number `i` (0-based). */
  send(i: number): Promise<Response>;
  /** Called once `answered` requests have an outcome; the fault is injected from here. */
  onProgress?(answered: number): void;
  /** What a worker waits for after a transport failure; default: nothing. */
  resume?(): Promise<void>;
  /** Hard bound on the whole load. */
  deadlineMs: number;
}

export interface LoadResult {
  /** index -> HTTP status, or "network" when the transport failed. */
  outcomes: Map<number, number | "network">;
  /** Indexes answered 201 or 202: each must reach the client. */
  accepted: Set<number>;
  /** "201": 812, "202": 190, "network": 3, ... */
  counts: Record<string, number>;
  /** The first error bodies seen per status, to explain a surprising count. */
  samples: Record<string, string>;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const outcomes = new Map<number, number | "network">();
  const samples: Record<string, string> = {};
  const deadline = Date.now() + opts.deadlineMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.total && Date.now() < deadline) {
      const i = next++;
      const outcome = await attempt(opts, i, samples);
      outcomes.set(i, outcome);
      opts.onProgress?.(outcomes.size);
      if (outcome === "network" && opts.resume) await opts.resume();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return summarize(outcomes, samples);
}

async function attempt(opts: LoadOptions, i: number, samples: Record<string, string>): Promise<number | "network"> {
  try {
    const res = await opts.send(i);
    const text = await res.text();
    if (res.status >= 300 && samples[res.status] === undefined) samples[res.status] = text.slice(0, 300);
    return res.status;
  } catch (err) {
    samples.network ??= err instanceof Error ? err.message : String(err);
    return "network";
  }
}

function summarize(outcomes: Map<number, number | "network">, samples: Record<string, string>): LoadResult {
  const counts: Record<string, number> = {};
  const accepted = new Set<number>();
  for (const [i, outcome] of outcomes) {
    counts[String(outcome)] = (counts[String(outcome)] ?? 0) + 1;
    if (outcome === 201 || outcome === 202) accepted.add(i);
  }
  return { outcomes, accepted, counts, samples };
}

/** A gate the fault closes and opens again: workers that hit a dead gateway wait on it. */
export function gate(maxWaitMs = 30_000): { wait(): Promise<void>; close(): void; open(): void } {
  let opened: Promise<void> = Promise.resolve();
  let release: () => void = () => undefined;
  return {
    wait: () => withTimeout(opened, maxWaitMs, () => undefined),
    close() {
      opened = new Promise((resolve) => (release = resolve));
    },
    open: () => release(),
  };
}
