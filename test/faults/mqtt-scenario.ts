// One MQTT fault scenario (issue 23 §4, §6): uniquely numbered QoS 1 messages published by
// mosquitto_pub in two batches, a fault injected once bob has a third of the first batch (the rest
// in flight: at the broker, in the gateway, unacknowledged), then the counts that matter: every
// message the broker acknowledged to the publisher reached bob (lost must be 0), and how many
// arrived twice (allowed: QoS 1 is at least once, MQTT 5 §4.3.2; a message whose stanza went out
// but whose PUBACK did not is delivered again by the broker, and so sent again).
import { expect } from "bun:test";
import type { DeliveryLedger, DeliveryReport } from "../helpers/delivery-ledger.ts";
import type { GatewayProcess } from "../helpers/gateway-process.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { outboxEmptied } from "./outage-scenario.ts";
import { type BrokerAddress, publishLines } from "./mqtt-publish.ts";
import { SIZES } from "./sizes.ts";

const DELIVERY_DEADLINE_MS = 30_000;

export interface MqttScenario {
  name: string;
  ledger: DeliveryLedger;
  broker: BrokerAddress;
  /** The topic the load goes to (a route subscribes to it). */
  topic: string;
  /** The gateway right now (the fault may replace it). */
  gateway(): GatewayProcess;
  /**
   * The fault. `publishRest` publishes the second batch: the fault calls it where it belongs
   * (while the gateway is down, after the broker is back) and resolves once everything is up.
   */
  fault(publishRest: () => Promise<void>): Promise<void>;
}

export interface MqttScenarioResult {
  report: DeliveryReport;
  /** Messages of the first batch bob had when the fault began (the rest were in flight). */
  beforeFault: number;
}

export async function runMqttScenario(s: MqttScenario): Promise<MqttScenarioResult> {
  const text = (i: number) => `${s.name} message ${i}`;
  const half = Math.floor(SIZES.mqttLoad / 2);
  const first = Array.from({ length: half }, (_, i) => text(i));
  const rest = Array.from({ length: SIZES.mqttLoad - half }, (_, i) => text(half + i));
  const acked = await publishLines(s.broker, s.topic, first);
  const arrived = () => first.filter((t) => s.ledger.has(t)).length;
  await waitFor(() => arrived() >= half / 3, DELIVERY_DEADLINE_MS, `a third of "${s.name}" at bob`, undefined, 2);
  const beforeFault = arrived();
  await s.fault(async () => {
    for (const i of await publishLines(s.broker, s.topic, rest)) acked.add(half + i);
  });
  await s.ledger.waitForAll(
    [...acked].map((i) => text(i)),
    DELIVERY_DEADLINE_MS,
  );
  await drainedUpToMarker(s);
  const report = s.ledger.report(acked, text);
  const twice = [...acked].filter((i) => s.ledger.copiesOf(text(i)) > 1);
  console.log(
    `faults ${s.name}: published=${SIZES.mqttLoad} acked_by_broker=${acked.size} at_bob_before_fault=${beforeFault} ` +
      `received=${report.received} lost=${report.lost.length} duplicated=${report.duplicated}` +
      (twice.length > 0 ? ` duplicated_indexes=${twice[0]}-${twice.at(-1)} (${twice.length} messages)` : "") +
      (report.lost.length > 0 ? ` lost_indexes=${report.lost.slice(0, 20).join(",")} (the first batch is 0-${half - 1})` : ""),
  );
  return { report, beforeFault };
}

/**
 * Once the outbox is empty, a marker published after everything arrives after every copy the
 * gateway will send (the broker redelivers unacknowledged messages first, MQTT 5 §4.4), so the
 * duplicate count is read at a known point rather than after a guessed pause.
 */
async function drainedUpToMarker(s: MqttScenario): Promise<void> {
  await outboxEmptied(s.gateway(), DELIVERY_DEADLINE_MS);
  const marker = `${s.name} marker`;
  expect((await publishLines(s.broker, s.topic, [marker])).size).toBe(1);
  expect(await s.ledger.waitForAll([marker], DELIVERY_DEADLINE_MS)).toEqual([]);
}
