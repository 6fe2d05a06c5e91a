// Many ntfy subscribers in one child process (`bun testbed/ntfy-swarm.ts '<json options>'`), for the
// subscriber load of the fault suite and the benchmark: each one GETs `<url>` (ntfy's /json stream),
// counts the messages it reads (bodies `m<n> <publish ms>`, n from 1), each once, and times
// each from its publish. A child process of its own because Bun's fetch holds at most
// BUN_CONFIG_MAX_HTTP_REQUESTS (256 by default) requests at once: `swarm()` raises it for the child.
//
// Messages may be published concurrently: each subscriber's order is digested, and the report says
// whether all read the same one (the test compares it with the cache's, poll=1).
//
// stdout: `opened <n>` once every stream has its open event, then one JSON line (SwarmReport) when
// every subscriber has read `expect` messages, or at once when a line arrives on stdin.
import { fileURLToPath } from "node:url";
import { withTimeout } from "./timeouts.ts";

/** A bound on opening every stream: far above what 1,000 take on a busy machine (~1 s). */
const OPEN_TIMEOUT_MS = 60_000;

export interface SwarmOptions {
  url: string;
  headers: Record<string, string>;
  subscribers: number;
  expect: number;
}

export interface SwarmReport {
  subscribers: number;
  /** Subscribers that read every message, each once. */
  complete: number;
  /** How many different orders the complete ones read them in (1: all the same). */
  orders: number;
  /** orderDigest() of that order (of the first complete subscriber). */
  digest: number;
  /** Messages read a second time, over all subscribers. */
  duplicates: number;
  /** Streams that ended before the last message. */
  ended: number;
  /** Fewest messages one subscriber read. */
  minRead: number;
  /** Publish-to-read latency over every message read, ms. */
  p50: number;
  p99: number;
}

interface Tally {
  read: number;
  duplicates: number;
  digest: number;
  seen: Uint8Array;
  ended: boolean;
}

/** A digest of an order of message numbers: equal orders, equal digests (FNV-1a over the numbers). */
export function orderDigest(numbers: Iterable<number>): number {
  let digest = 0x811c9dc5;
  for (const n of numbers) digest = step(digest, n);
  return digest;
}

const step = (digest: number, n: number): number => Math.imul(digest ^ n, 0x01000193) >>> 0;

async function subscribe(opts: SwarmOptions, tally: Tally, opened: () => void, latencies: number[], done: () => void): Promise<void> {
  const res = await fetch(opts.url, { headers: opts.headers });
  if (res.status !== 200 || !res.body) {
    // One refused stream would leave `opened` unsaid for ever: say why and stop the swarm.
    console.error(`ntfy-swarm: ${opts.url} answered ${res.status} ${await res.text()}`);
    process.exit(1);
  }
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for await (const chunk of res.body) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) if (line !== "") readLine(line, tally, opened, latencies, opts.expect, done);
    }
  } finally {
    tally.ended = tally.read < opts.expect;
  }
}

function readLine(line: string, tally: Tally, opened: () => void, latencies: number[], expect: number, done: () => void): void {
  const event = JSON.parse(line) as { event: string; message?: string };
  if (event.event === "open") return opened();
  if (event.event !== "message" || !event.message) return;
  const [label = "", sentAt = "0"] = event.message.split(" ");
  const n = Number(label.slice(1));
  latencies.push(performance.timeOrigin + performance.now() - Number(sentAt));
  if (tally.seen[n]) {
    tally.duplicates++;
    return;
  }
  tally.seen[n] = 1;
  tally.digest = step(tally.digest, n);
  if (++tally.read === expect) done();
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0
    ? 0
    : Math.round((sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0) * 100) / 100;
}

async function main(opts: SwarmOptions): Promise<void> {
  const tallies: Tally[] = Array.from({ length: opts.subscribers }, () => ({
    read: 0,
    duplicates: 0,
    digest: orderDigest([]),
    seen: new Uint8Array(opts.expect + 1),
    ended: false,
  }));
  const latencies: number[] = [];
  let open = 0;
  let finished = 0;
  const { promise: allDone, resolve } = Promise.withResolvers<void>();
  const opened = () => ++open === opts.subscribers && console.log(`opened ${open}`);
  const done = () => ++finished === opts.subscribers && resolve();
  for (const tally of tallies) void subscribe(opts, tally, opened, latencies, done).catch(() => (tally.ended = true));
  const stdin = (async () => {
    for await (const _ of console) return;
  })();
  await Promise.race([allDone, stdin]);
  latencies.sort((a, b) => a - b);
  const complete = tallies.filter((t) => t.read === opts.expect && t.duplicates === 0);
  const report: SwarmReport = {
    subscribers: opts.subscribers,
    complete: complete.length,
    orders: new Set(complete.map((t) => t.digest)).size,
    digest: complete[0]?.digest ?? 0,
    duplicates: tallies.reduce((sum, t) => sum + t.duplicates, 0),
    ended: tallies.filter((t) => t.ended).length,
    minRead: Math.min(...tallies.map((t) => t.read)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
  console.log(JSON.stringify(report));
  process.exit(0);
}

/** The body a swarm reads as message `n`: its number and when it was published. */
export const swarmMessage = (n: number): string => `m${n} ${performance.timeOrigin + performance.now()}`;

/** Starts the swarm; `opened` once every stream is open, `report()` when all read `expect` (or at once with `now`). */
export async function swarm(opts: SwarmOptions): Promise<{ report(now?: boolean): Promise<SwarmReport>; pid: number }> {
  const proc = Bun.spawn([process.execPath, fileURLToPath(import.meta.url), JSON.stringify(opts)], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: String(opts.subscribers + 16) },
  });
  const reader = proc.stdout.getReader();
  let text = "";
  const line = async (): Promise<string> => {
    while (!text.includes("\n")) {
      const part = await reader.read();
      if (part.done) throw new Error(`the swarm exited (${await proc.exited}) before a line`);
      text += new TextDecoder().decode(part.value);
    }
    const [first = "", ...rest] = text.split("\n");
    text = rest.join("\n");
    return first;
  };
  const first = await withTimeout(line(), OPEN_TIMEOUT_MS, () => {
    proc.kill("SIGKILL");
    throw new Error(`the swarm's ${opts.subscribers} streams did not all open within ${OPEN_TIMEOUT_MS} ms (exit: ${proc.exitCode})`);
  });
  if (first !== `opened ${opts.subscribers}`) throw new Error(`the swarm said ${first}`);
  const last = line().then((json) => JSON.parse(json) as SwarmReport);
  return {
    pid: proc.pid,
    async report(now = false) {
      if (now) {
        proc.stdin.write("report\n");
        await proc.stdin.flush();
      }
      return await last;
    },
  };
}

if (import.meta.main) await main(JSON.parse(process.argv[2] ?? "{}") as SwarmOptions);
