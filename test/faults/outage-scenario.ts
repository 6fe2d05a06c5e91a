// One fault scenario: a load of uniquely numbered messages, a fault injected a third of the way
// in, then the count that matters: every message answered 201/202 reached bob, and how many
// arrived twice (allowed: delivery is at least once).
import { expect } from "bun:test";
import type { DeliveryLedger, DeliveryReport } from "../helpers/delivery-ledger.ts";
import { gate, runLoad, type LoadResult } from "../helpers/load.ts";
import type { GatewayProcess } from "../helpers/gateway-process.ts";
import { SIZES } from "./sizes.ts";
import { unlessTimedOut, waitFor } from "../../testbed/timeouts.ts";

const LOAD_DEADLINE_MS = 120_000;
const DELIVERY_DEADLINE_MS = 60_000;

export interface Scenario {
  name: string;
  ledger: DeliveryLedger;
  /** The gateway to send to right now (the fault may replace it). */
  gateway(): GatewayProcess;
  /** Sends message `text` through the gateway. */
  send(url: string, text: string): Promise<Response>;
  /** The fault: resolves once the system is up again. */
  fault(): Promise<void>;
}

const messageText = (name: string, i: number): string => `${name} message ${i}`;

export async function runScenario(s: Scenario): Promise<{ load: LoadResult; report: DeliveryReport }> {
  const outage = gate();
  let faultDone: Promise<void> | undefined;
  const load = await runLoad({
    total: SIZES.load,
    concurrency: SIZES.concurrency,
    deadlineMs: LOAD_DEADLINE_MS,
    send: (i) => s.send(s.gateway().url, messageText(s.name, i)),
    resume: () => outage.wait(),
    onProgress(answered) {
      if (faultDone !== undefined || answered < Math.floor(SIZES.load / 3)) return;
      outage.close();
      faultDone = s.fault().finally(() => outage.open());
    },
  });
  await faultDone;
  const texts = [...load.accepted].map((i) => messageText(s.name, i));
  await s.ledger.waitForAll(texts, DELIVERY_DEADLINE_MS);
  await drainedUpToMarker(s);
  const report = s.ledger.report(load.accepted, (i) => messageText(s.name, i));
  printCounts(s.name, load, report);
  return { load, report };
}

/**
 * A marker sent after the outbox is empty arrives after every earlier copy the gateway will ever
 * send, so the duplicate count is read at a known point rather than after a guessed pause.
 */
async function drainedUpToMarker(s: Scenario): Promise<void> {
  await outboxEmptied(s.gateway(), DELIVERY_DEADLINE_MS);
  const marker = `${s.name} marker`;
  const res = await s.send(s.gateway().url, marker);
  if (res.status !== 201) {
    const health = await s.gateway().health();
    throw new Error(
      `the marker got ${res.status} ${await res.text()}; /health ${JSON.stringify(health)}\n${s.gateway().stderr().slice(-3000)}`,
    );
  }
  expect(await s.ledger.waitForAll([marker], DELIVERY_DEADLINE_MS)).toEqual([]);
}

function printCounts(name: string, load: LoadResult, report: DeliveryReport): void {
  const statuses = Object.entries(load.counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  console.log(
    `faults ${name}: requests=${load.outcomes.size} ${statuses} accepted=${report.accepted} received=${report.received} lost=${report.lost.length} duplicated=${report.duplicated}`,
  );
  for (const [status, sample] of Object.entries(load.samples)) console.log(`faults ${name}: first ${status} answer: ${sample}`);
}

/** Polls /health until the link is up and the outbox empty; a queue still full at the deadline shows in the counts. */
export async function outboxEmptied(gw: GatewayProcess, timeoutMs: number): Promise<void> {
  const empty = async () => {
    const { status, body } = await gw.health();
    return status === 200 && (body.outbox as { queued?: number } | undefined)?.queued === 0;
  };
  await waitFor(empty, timeoutMs, "the outbox to empty", undefined, 100).catch(unlessTimedOut);
}
