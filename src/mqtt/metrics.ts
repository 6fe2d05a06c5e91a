/**
 * The broker connection's figures on /metrics (issue 23 §1), read when scraped from the one
 * connection the gateway keeps across reloads; all zero when routes.yaml has no `mqtt:`.
 */
import Counter from "prom-client/lib/counter";
import Gauge from "prom-client/lib/gauge";
import type Registry from "prom-client/lib/registry";

/** Why a received message was not handed to a route: too large, no subscription matches it, or its handler failed. */
export type RefusalReason = "too_large" | "unrouted" | "failed";

export interface MqttStats {
  connected: boolean;
  received: number;
  published: number;
  refused: Readonly<Record<RefusalReason, number>>;
  reconnects: number;
}

export const noMqttStats = (): MqttStats => ({
  connected: false,
  received: 0,
  published: 0,
  refused: { too_large: 0, unrouted: 0, failed: 0 },
  reconnects: 0,
});

/** Registers the metrics; returns where the gateway says what to read them from. */
export function mqttMetrics(registry: Registry): (source: () => MqttStats) => void {
  let read = noMqttStats;
  const registers = [registry];
  const counter = (name: string, help: string, value: (s: MqttStats) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(value(read()));
      },
    });
  new Gauge({
    name: "stanzagate_mqtt_connected",
    help: "1 while the MQTT broker connection is online, else 0.",
    registers,
    collect() {
      this.set(read().connected ? 1 : 0);
    },
  });
  counter("stanzagate_mqtt_received_total", "MQTT messages the broker delivered.", (s) => s.received);
  counter(
    "stanzagate_mqtt_published_total",
    "MQTT messages published and acknowledged by the broker (QoS 0: written).",
    (s) => s.published,
  );
  counter(
    "stanzagate_mqtt_reconnects_total",
    "Times the broker connection was attempted again after it dropped or was refused.",
    (s) => s.reconnects,
  );
  new Counter({
    name: "stanzagate_mqtt_refused_total",
    help: "MQTT messages received but not handled, by reason: too_large (over mqtt.max_payload_bytes), unrouted (no subscription matches), failed (a route's handler failed).",
    labelNames: ["reason"],
    registers,
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(read().refused)) this.inc({ reason }, n);
    },
  });
  return (source) => void (read = source);
}
