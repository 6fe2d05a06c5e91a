/**
 * HTTP -> XMPP through post_msg: POST /msg/bob as alice (HTTP Basic, `xmpp` auth), text/plain
 * bodies "<run>:<seq>", and bob counts arrivals. Latency: request start -> stanza at bob.
 * The gateway is restarted before each run (bench/run.ts), so the first `concurrency` requests
 * meet a cold credential cache, as after a deployment's restart: `first_requests` is their
 * request start -> HTTP answer latency, and their statuses.
 */
import { runLoad, type LoadResult } from "../lib/load.ts";
import type { RemoteReceiver } from "../lib/remote-receiver.ts";
import { summarize, type Summary } from "../lib/stats.ts";

export interface DeliveryRun {
  concurrency: number;
  sent: number;
  delivered: number;
  lost: number;
  duplicates: number;
  http_errors: number;
  /** HTTP answers by status (post_msg runs; the ceiling has no HTTP). */
  statuses?: Record<number, number>;
  msgs_per_s: number;
  latency: Summary;
  first_requests?: Summary & { statuses: Record<number, number> };
}

const AUTH = `Basic ${Buffer.from("alice:alice-pw").toString("base64")}`;

export function postMsgRun(url: string, bob: RemoteReceiver, total: number, concurrency: number): Promise<DeliveryRun> {
  return httpDeliveryRun(bob, `pm${concurrency}-${Date.now()}`, total, concurrency, (text) =>
    fetch(`${url}/msg/bob`, { method: "POST", headers: { authorization: AUTH, "content-type": "text/plain" }, body: text }),
  );
}

/**
 * A closed loop of HTTP requests that each should deliver one message to bob: `send` posts the
 * text "<run>:<seq>" in the route's own body shape; bob counts the arrivals.
 */
export async function httpDeliveryRun(
  bob: RemoteReceiver,
  run: string,
  total: number,
  concurrency: number,
  send: (text: string) => Promise<Response>,
): Promise<DeliveryRun> {
  await bob.listen(run);
  const load = await runLoad(total, concurrency, 180_000, (seq) => send(`${run}:${seq}`));
  const arrivals = await bob.arrivals(load.sent, 30_000);
  const delivery = deliveryRun(concurrency, load.sent, load.failed, absolute(load.started), arrivals.at, arrivals.duplicates);
  return { ...delivery, statuses: load.statuses, first_requests: firstRequests(load, concurrency) };
}

/** The first wave: requests 0..concurrency-1, all sent before any answer could warm a cache. */
function firstRequests(load: LoadResult, concurrency: number): Summary & { statuses: Record<number, number> } {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  for (let seq = 0; seq < Math.min(concurrency, load.sent); seq++) {
    const s = load.started.get(seq);
    const a = load.answered.get(seq);
    if (s === undefined || a === undefined) continue;
    latencies.push(a.at - s);
    statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  }
  return { ...summarize(latencies), statuses };
}

/** performance.now() times of this thread -> absolute times, comparable with the receiver's. */
function absolute(times: Map<number, number>): Map<number, number> {
  return new Map([...times].map(([seq, t]) => [seq, performance.timeOrigin + t]));
}

/** Rate and latency from start times and arrival times of the same sequence numbers. */
export function deliveryRun(
  concurrency: number,
  sent: number,
  failed: number,
  started: Map<number, number>,
  arrived: Map<number, number>,
  duplicates: number,
): DeliveryRun {
  const latencies: number[] = [];
  let first = Infinity;
  let last = 0;
  for (const [seq, t] of arrived) {
    const s = started.get(seq);
    if (s === undefined) continue;
    latencies.push(t - s);
    first = Math.min(first, s);
    last = Math.max(last, t);
  }
  const seconds = (last - first) / 1000;
  return {
    concurrency,
    sent,
    delivered: arrived.size,
    lost: sent - failed - arrived.size,
    duplicates,
    http_errors: failed,
    msgs_per_s: seconds > 0 ? Math.round(arrived.size / seconds) : 0,
    latency: summarize(latencies),
  };
}
