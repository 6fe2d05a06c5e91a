/**
 * The outbox (through post_msg; alice's credentials are in the xmpp scheme's cache by then): with Prosody down, how fast HTTP callers get their 202; then, with Prosody back,
 * how long until all 10,000 queued stanzas left the outbox, and whether bob got each exactly once.
 */
import xml from "@xmpp/xml";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectClient } from "../../testbed/xmpp-client.ts";
import { runLoad } from "../lib/load.ts";
import { listen } from "../lib/receiver.ts";
import { waitFor } from "../../testbed/timeouts.ts";

export interface OutboxRun {
  queued: number;
  accept_per_s: number;
  drain_ms: number;
  delivered: number;
  duplicates: number;
  statuses: Record<number, number>;
}

const AUTH = `Basic ${Buffer.from("alice:alice-pw").toString("base64")}`;

export async function outboxRun(prosody: XmppServer, url: string, total: number): Promise<OutboxRun> {
  await prosody.stopProcess();
  await waitHealth(url, (s) => s !== 200, 5_000);
  const run = `ob-${Date.now()}`;
  const load = await runLoad(total, 32, 120_000, (seq) =>
    fetch(`${url}/msg/bob`, { method: "POST", headers: { authorization: AUTH, "content-type": "text/plain" }, body: `${run}:${seq}` }),
  );
  const queued = load.statuses[202] ?? 0;
  await prosody.startProcess();
  const t0 = performance.now();
  await waitHealth(url, (_s, body) => body.outbox?.queued === 0 && body.xmpp?.state === "online", 120_000);
  const drain_ms = Math.round(performance.now() - t0);
  // Bob was offline during the drain: the server kept the messages and hands them over at login.
  // Listen before the initial presence: the server sends the offline messages right after it.
  const bob = await connectClient(prosody, "bob", { resource: "outbox", presence: false });
  const arrivals = listen(bob, run);
  await bob.send(xml("presence"));
  await arrivals.done(queued, 60_000);
  arrivals.detach();
  await bob.stop();
  return {
    queued,
    accept_per_s: Math.round(queued / (load.elapsed_ms / 1000)),
    drain_ms,
    delivered: arrivals.at.size,
    duplicates: arrivals.duplicates,
    statuses: load.statuses,
  };
}

interface Health {
  outbox?: { queued?: number };
  xmpp?: { state?: string };
}

async function waitHealth(url: string, ok: (status: number, body: Health) => boolean, timeoutMs: number): Promise<void> {
  const healthy = async () => {
    const res = await fetch(`${url}/health`).catch(() => undefined);
    return res !== undefined && ok(res.status, (await res.json()) as Health);
  };
  await waitFor(healthy, timeoutMs, "the /health condition", undefined, 10);
}
