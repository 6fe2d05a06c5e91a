/**
 * XMPP -> webhook -> XMPP: alice sends numbered messages to echo@<component>, a trivial local
 * webhook answers each with its body, alice counts the replies. A window keeps `window` messages
 * in flight; latency is send -> reply.
 */
import xml from "@xmpp/xml";
import type { TestClient } from "../../testbed/xmpp-client.ts";
import { listen } from "../lib/receiver.ts";
import { summarize, type Summary } from "../lib/stats.ts";

export interface WebhookRun {
  sent: number;
  replies: number;
  lost: number;
  duplicates: number;
  replies_per_s: number;
  latency: Summary;
}

/** The webhook: mod_component_http's echo bot, minus PHP. */
export function echoWebhook(): { url: string; stop(): void } {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const { body } = (await req.json()) as { body?: string };
      return Response.json({ body });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/echo`, stop: () => server.stop(true) };
}

export async function componentHttpRun(alice: TestClient, to: string, total: number, window: number, maxMs = 120_000): Promise<WebhookRun> {
  const run = `ch-${Date.now()}`;
  const arrivals = listen(alice, run);
  const sentAt = new Map<number, number>();
  const t0 = performance.now();
  let next = 0;
  const sendNext = () => {
    const seq = next++;
    sentAt.set(seq, performance.now());
    void alice.send(xml("message", { to, type: "chat" }, xml("body", {}, `${run}:${seq}`)));
  };
  while (next < Math.min(window, total)) sendNext();
  while (arrivals.at.size < total && performance.now() - t0 < maxMs) {
    const before = arrivals.at.size;
    await arrivals.done(before + 1, 1_000);
    while (next < total && next - arrivals.at.size < window) sendNext();
    if (arrivals.at.size === before && next >= total) await arrivals.done(total, 5_000);
    if (arrivals.at.size === before && next >= total) break;
  }
  arrivals.detach();
  const latencies = [...arrivals.at].map(([seq, t]) => t - (sentAt.get(seq) ?? t));
  const last = Math.max(...arrivals.at.values(), t0);
  return {
    sent: next,
    replies: arrivals.at.size,
    lost: next - arrivals.at.size,
    duplicates: arrivals.duplicates,
    replies_per_s: Math.round(arrivals.at.size / ((last - t0) / 1000)),
    latency: summarize(latencies),
  };
}
