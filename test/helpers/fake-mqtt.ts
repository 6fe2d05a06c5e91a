// An in-process broker connection for unit tests: the `Mqtt` interface (src/mqtt/types.ts) with
// the broker's behaviour the routes rely on: wildcard matching, retained messages sent at
// subscribe time only to subscriptions that ask for them, and a QoS 1 "acknowledgement" that is
// the handler's promise (`deliver` resolves when every matching subscription's handle did).
import { matchTopic } from "../../src/mqtt/topic.ts";
import type { Mqtt, MqttMessage, MqttStatus, MqttSubscribeOptions } from "../../src/mqtt/types.ts";

type Handle = (m: MqttMessage) => Promise<void>;

export interface FakeMqtt extends Mqtt {
  /** A message from the broker, as a publisher's would arrive; resolves once every handler resolved (the PUBACK point). */
  deliver(topic: string, payload: string | Uint8Array, options?: { retain?: boolean; properties?: Record<string, unknown> }): Promise<void>;
  /** Retained at the broker: sent to later subscriptions that ask for retained messages. */
  retain(topic: string, payload: string): void;
  readonly filters: string[];
}

export function fakeMqtt(): FakeMqtt {
  const subscriptions = new Set<{ filter: string; options: MqttSubscribeOptions; handle: Handle }>();
  const retained = new Map<string, Uint8Array>();
  const bytes = (p: string | Uint8Array) => (typeof p === "string" ? new TextEncoder().encode(p) : p);
  const status: MqttStatus = { state: "online", url: "mqtt://fake", clientId: "fake", since: 0 };
  return {
    subscribe(filter, options, handle) {
      const sub = { filter, options, handle };
      subscriptions.add(sub);
      if (options.retained)
        for (const [topic, payload] of retained)
          if (matchTopic(filter, topic)) void handle({ topic, payload, qos: options.qos, retain: true, properties: {} });
      return { close: () => void subscriptions.delete(sub) };
    },
    async publish() {},
    status: () => status,
    async deliver(topic, payload, options = {}) {
      const message = {
        topic,
        payload: bytes(payload),
        qos: 1 as const,
        retain: options.retain ?? false,
        properties: options.properties ?? {},
      };
      await Promise.all([...subscriptions].filter((s) => matchTopic(s.filter, topic)).map((s) => s.handle(message)));
    },
    retain: (topic, payload) => void retained.set(topic, bytes(payload)),
    get filters() {
      return [...subscriptions].map((s) => s.filter);
    },
  };
}
