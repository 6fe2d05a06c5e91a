// The world an MQTT route's handler is tested in: routes.yaml routes compiled by the loader, each
// subscribed on a fake broker connection (test/helpers/fake-mqtt.ts) with a handler whose outbox,
// store and clock the test holds.
import { readFileSync } from "node:fs";
import type { Element } from "ltx";
import { createLogger } from "../../../../src/log.ts";
import { LruMap } from "../../../../src/kit/bounded.ts";
import { memoryRemembered } from "../../../../src/features/routes/correct.ts";
import type { MqttRouteConfig } from "../../../../src/features/routes/mqtt-check.ts";
import { mqttHandler, type MqttRouteOutcome } from "../../../../src/features/routes/mqtt-handler.ts";
import { Trailing, type Schedule } from "../../../../src/features/routes/mqtt-trailing.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";
import { fakeMqtt } from "../../../helpers/fake-mqtt.ts";

export const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/mqtt/${name}`, import.meta.url));
const BROKER = "mqtt:\n  url: mqtt://127.0.0.1:1883\n";

interface WorldOptions {
  deliver?: (stanza: Element) => Promise<"sent" | "queued">;
  /** The outbox's room: throws when it has none for all of a message's stanzas. */
  reserve?: (stanzas: readonly Element[]) => () => void;
  /** With mqtt.share: the store other replicas write too, read before each on_change comparison. */
  shared?: ReadonlyMap<string, string>;
}

export function world(routes: string, options: WorldOptions = {}) {
  const config = loadTestConfig(FAKE_HEAD + BROKER + routes);
  const sent: Element[] = [];
  const counted: MqttRouteOutcome[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const stored = new Map<string, string>();
  const clock = { now: 1_000_000 };
  let n = 0;
  const mqtt = fakeMqtt();
  // min_interval's trailing edge runs on the test's clock: `tick` moves it and runs what is due.
  const timers: Array<{ run: () => void; at: number; done: boolean }> = [];
  const schedule: Schedule = (run, ms) => {
    const t = { run, at: clock.now + ms, done: false };
    timers.push(t);
    return { cancel: () => void (t.done = true) };
  };
  const tick = (ms: number) => {
    clock.now += ms;
    for (const t of timers.filter((x) => !x.done && x.at <= clock.now)) {
      t.done = true;
      t.run();
    }
  };
  for (const route of config.routes as unknown as MqttRouteConfig[]) {
    const handle = mqttHandler(route, {
      component: "gateway.localhost",
      newId: () => `id-${++n}`,
      deliver: options.deliver ?? (async (stanza) => (sent.push(stanza), "sent")),
      reserve: options.reserve ?? (() => () => undefined),
      roomTimeoutMs: 1_000,
      remembered: memoryRemembered(),
      lastValues: { get: (k) => stored.get(k), set: (k, v) => void stored.set(k, v), delete: (k) => void stored.delete(k) },
      ...(options.shared ? { freshValue: async (k: string) => options.shared?.get(k) } : {}),
      lastSent: new LruMap(100),
      trailing: new Trailing(schedule),
      now: () => clock.now,
      count: (outcome) => void counted.push(outcome),
      log: createLogger({ level: "debug", write: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>) }),
    });
    mqtt.subscribe(route.mqtt.topic, { qos: route.mqtt.qos, retained: route.mqtt.retained }, handle);
  }
  const bodies = () => sent.map((s) => s.getChildText("body"));
  return { mqtt, sent, bodies, counted, logs, stored, clock, tick };
}

export const DOOR = `
routes:
  - mqtt: { topic: "zigbee2mqtt/+" }
    when: body.contact != nil
    send: <message to="bob@localhost" type="chat"><body>{{ wildcards[0] }} {% if body.contact %}closed{% else %}open{% endif %} (battery {{ body.battery }}%)</body></message>
`;
