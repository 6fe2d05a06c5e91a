// An MQTT route, one message at a time (issue 23 §2): what its templates read, when it sends,
// what it skips and counts, and when the broker may acknowledge the message (the handler's promise).
// Driven by the broker connection's interface (test/helpers/fake-mqtt.ts) and an injected clock.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Element } from "ltx";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import { createLogger } from "../../../../src/log.ts";
import { LruMap } from "../../../../src/kit/bounded.ts";
import { memoryRemembered } from "../../../../src/features/routes/correct.ts";
import type { MqttRouteConfig } from "../../../../src/features/routes/mqtt-check.ts";
import { mqttHandler, type MqttRouteOutcome } from "../../../../src/features/routes/mqtt-handler.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";
import { fakeMqtt } from "../../../helpers/fake-mqtt.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/mqtt/${name}`, import.meta.url));
const BROKER = "mqtt:\n  url: mqtt://127.0.0.1:1883\n";

interface WorldOptions {
  deliver?: (stanza: Element) => Promise<"sent" | "queued">;
  /** The outbox's room: throws when it has none for all of a message's stanzas. */
  reserve?: (stanzas: readonly Element[]) => () => void;
}

function world(routes: string, options: WorldOptions = {}) {
  const config = loadTestConfig(FAKE_HEAD + BROKER + routes);
  const sent: Element[] = [];
  const counted: MqttRouteOutcome[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const stored = new Map<string, string>();
  const clock = { now: 1_000_000 };
  let n = 0;
  const mqtt = fakeMqtt();
  for (const route of config.routes as unknown as MqttRouteConfig[]) {
    const handle = mqttHandler(route, {
      component: "gateway.localhost",
      newId: () => `id-${++n}`,
      deliver: options.deliver ?? (async (stanza) => (sent.push(stanza), "sent")),
      reserve: options.reserve ?? (() => () => undefined),
      roomTimeoutMs: 1_000,
      remembered: memoryRemembered(),
      lastValues: { get: (k) => stored.get(k), set: (k, v) => void stored.set(k, v), delete: (k) => void stored.delete(k) },
      lastSent: new LruMap(100),
      now: () => clock.now,
      count: (outcome) => void counted.push(outcome),
      log: createLogger({ level: "debug", write: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>) }),
    });
    mqtt.subscribe(route.mqtt.topic, { qos: route.mqtt.qos, retained: route.mqtt.retained }, handle);
  }
  const bodies = () => sent.map((s) => s.getChildText("body"));
  return { mqtt, sent, bodies, counted, logs, stored, clock };
}

const DOOR = `
routes:
  - mqtt: { topic: "zigbee2mqtt/+" }
    when: body.contact != nil
    send: <message to="bob@localhost" type="chat"><body>{{ wildcards[0] }} {% if body.contact %}closed{% else %}open{% endif %} (battery {{ body.battery }}%)</body></message>
`;

describe("what an MQTT route's templates read", () => {
  test("a Zigbee2MQTT door sensor's JSON is body, the level + matched is wildcards[0]", async () => {
    const w = world(DOOR);
    await w.mqtt.deliver("zigbee2mqtt/front_door", fixture("z2m-door-open.json"));
    expect(w.sent.map((s) => s.toString())).toEqual([
      '<message to="bob@localhost" type="chat" from="gateway.localhost" id="id-1"><body>front_door open (battery 97%)</body></message>',
    ]);
    expect(w.counted).toEqual(["sent"]);
  });

  test("a payload that is not JSON is body as text: Tasmota's ON", async () => {
    const w = world(`
routes:
  - mqtt: { topic: "stat/+/POWER" }
    send: <message to="bob@localhost"><body>{{ wildcards[0] }} is {{ body }} ({{ topic }})</body></message>
`);
    await w.mqtt.deliver("stat/plug_1/POWER", fixture("tasmota-power.txt"));
    expect(w.bodies()).toEqual(["plug_1 is ON (stat/plug_1/POWER)"]);
  });

  test("# gives the rest of the topic as one wildcard; retain and MQTT 5 properties are readable", async () => {
    const w = world(`
routes:
  - mqtt: { topic: "tele/#", retained: true }
    send: <message to="bob@localhost"><body>{{ wildcards[0] }} {{ body.ENERGY.Power }}W retain={{ retain }} unit={{ properties.userProperties.unit }}</body></message>
`);
    await w.mqtt.deliver("tele/plug_1/SENSOR", fixture("tasmota-sensor.json"), {
      retain: true,
      properties: { userProperties: { unit: "W" } },
    });
    expect(w.bodies()).toEqual(["plug_1/SENSOR 42W retain=true unit=W"]);
  });
});

test("binary MQTT 5 properties (correlationData) are base64 text; a JSON string or number payload is that value", async () => {
  const w = world(`
routes:
  - mqtt: { topic: "rpc/+" }
    send: <message to="bob@localhost"><body>{{ body }} {{ properties.correlationData }} {{ properties.responseTopic }}</body></message>
`);
  await w.mqtt.deliver("rpc/a", "42", { properties: { correlationData: new Uint8Array([1, 2, 3]), responseTopic: "rpc/a/reply" } });
  await w.mqtt.deliver("rpc/b", '"quoted"');
  expect(w.bodies()).toEqual(["42 AQID rpc/a/reply", "quoted  "]);
});

describe("payloads that are not UTF-8", () => {
  const BINARY = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);

  test("are refused by default: logged, counted, nothing sent, and the message settles (acknowledged, never redelivered)", async () => {
    const w = world(DOOR);
    await w.mqtt.deliver("zigbee2mqtt/camera", BINARY);
    expect(w.sent).toEqual([]);
    expect(w.counted).toEqual(["refused"]);
    expect(w.logs.find((l) => l.msg === "an MQTT message was refused by its route; nothing sent")).toMatchObject({
      topic: "zigbee2mqtt/camera",
      bytes: 6,
      reason: "the payload is not UTF-8 (mqtt.binary: base64 takes it as base64 text)",
    });
  });

  test("reach the templates as base64 text with binary: base64", async () => {
    const w = world(`
routes:
  - mqtt: { topic: "cam/+/snapshot", binary: base64 }
    send: <message to="bob@localhost"><body>{{ wildcards[0] }} took {{ body }}</body></message>
`);
    await w.mqtt.deliver("cam/porch/snapshot", BINARY);
    expect(w.bodies()).toEqual(["porch took /9j/4AAQ"]);
  });
});

const TEMPERATURE = `
routes:
  - mqtt: { topic: "zigbee2mqtt/+", min_interval: 30s }
    on_change: body.temperature
    send: <message to="bob@localhost"><body>{{ wildcards[0] }} {{ body.temperature }}°C</body></message>
`;

describe("taming sensor spam", () => {
  test("on_change: a value equal to the last one sent for the topic sends nothing; each topic has its own", async () => {
    const w = world(TEMPERATURE.replace(", min_interval: 30s", ""));
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":21.5}');
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":21.5,"battery":99}');
    await w.mqtt.deliver("zigbee2mqtt/bedroom", '{"temperature":21.5}');
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22}');
    expect(w.bodies()).toEqual(["kitchen 21.5°C", "bedroom 21.5°C", "kitchen 22°C"]);
    expect(w.counted).toEqual(["sent", "skipped_unchanged", "sent", "sent"]);
    expect([...w.stored.values()]).toEqual(["22", "21.5"]);
  });

  test("min_interval: a message within it after the last one sent is skipped; after it, the change goes", async () => {
    const w = world(TEMPERATURE);
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":21.5}');
    w.clock.now += 10_000;
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22}');
    await w.mqtt.deliver("zigbee2mqtt/bedroom", '{"temperature":19}');
    w.clock.now += 20_000;
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22}');
    expect(w.bodies()).toEqual(["kitchen 21.5°C", "bedroom 19°C", "kitchen 22°C"]);
    expect(w.counted).toEqual(["sent", "skipped_interval", "sent", "sent"]);
  });

  test("when: false sends nothing and remembers nothing", async () => {
    const w = world(DOOR);
    await w.mqtt.deliver("zigbee2mqtt/bridge", '{"state":"online"}');
    expect(w.sent).toEqual([]);
    expect(w.counted).toEqual(["skipped_when"]);
  });
});

test("correct: a reading updates its first message in place (XEP-0308)", async () => {
  const w = world(`
routes:
  - mqtt: { topic: "zigbee2mqtt/+" }
    correct: { key: topic }
    send: <message to="bob@localhost" type="chat"><body>{{ wildcards[0] }} {{ body.temperature }}°C</body></message>
`);
  await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":21.5}');
  await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22}');
  await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22.5}');
  const [first, second, third] = w.sent;
  expect(second?.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(first?.attrs.id);
  expect(third?.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(first?.attrs.id);
  expect(w.bodies()).toEqual(["kitchen 21.5°C", "kitchen 22°C", "kitchen 22.5°C"]);
});

describe("when the broker may acknowledge the message", () => {
  test("only once the stanza is delivered: the handler's promise waits for the outbox", async () => {
    let confirm: ((v: "sent") => void) | undefined;
    const w = world(DOOR, { deliver: () => new Promise((resolve) => (confirm = resolve)) });
    let settled = false;
    const acked = w.mqtt.deliver("zigbee2mqtt/front_door", fixture("z2m-door-open.json")).then(() => (settled = true));
    await waitFor(() => confirm !== undefined, 1_000, "the stanza to reach the outbox");
    expect(settled).toBe(false);
    confirm?.("sent");
    await acked;
    expect(w.counted).toEqual(["sent"]);
  });

  test("a delivery the outbox refuses rejects, so the message is retried, not acknowledged", async () => {
    const w = world(DOOR, { deliver: () => Promise.reject(new GatewayError("OUTBOX_FULL")) });
    await expect(w.mqtt.deliver("zigbee2mqtt/front_door", fixture("z2m-door-open.json"))).rejects.toMatchObject({ code: "OUTBOX_FULL" });
    expect(w.counted).toEqual([]);
  });

  test("a topic or payload with text XML cannot carry is refused once and settles", async () => {
    const w = world(DOOR);
    await w.mqtt.deliver("zigbee2mqtt/\u0001door", '{"contact":true}');
    await w.mqtt.deliver("zigbee2mqtt/door", '{"contact":true,"name":"\\u0007"}');
    expect(w.sent).toEqual([]);
    expect(w.counted).toEqual(["refused", "refused"]);
    expect(w.logs.filter((l) => l.reason !== undefined).map((l) => String(l.reason).split(":")[0])).toEqual([
      "INVALID_XML_TEXT",
      "INVALID_XML_TEXT",
    ]);
  });

  test("a message of several stanzas with no outbox room for all of them sends none and is retried whole", async () => {
    const w = world(
      `
routes:
  - mqtt: { topic: "alarms/+" }
    send:
      - <message to="bob@localhost"><body>{{ wildcards[0] }} {{ body }}</body></message>
      - <message to="carol@localhost"><body>{{ wildcards[0] }} {{ body }}</body></message>
`,
      {
        reserve: (stanzas) => {
          throw new GatewayError("OUTBOX_FULL", undefined, { details: { stanzas: stanzas.length } });
        },
      },
    );
    await expect(w.mqtt.deliver("alarms/garage", "armed")).rejects.toMatchObject({ code: "OUTBOX_FULL", details: { stanzas: 2 } });
    expect(w.sent).toEqual([]);
    expect(w.counted).toEqual([]);
  });

  test("a payload the route cannot render (strict: a missing field) is refused once and settles", async () => {
    const w = world(DOOR.replace("    when: body.contact != nil\n", "    strict: true\n"));
    await w.mqtt.deliver("zigbee2mqtt/front_door", '{"contact":true}');
    expect(w.sent).toEqual([]);
    expect(w.counted).toEqual(["refused"]);
    expect(w.logs.find((l) => l.route === "mqtt zigbee2mqtt/+")?.reason).toStartWith("MISSING_FIELD");
  });
});

test("a retained message at subscribe time reaches only a route with retained: true", async () => {
  const mqtt = fakeMqtt();
  mqtt.retain("zigbee2mqtt/front_door", '{"contact":false}');
  const seen: string[] = [];
  mqtt.subscribe("zigbee2mqtt/+", { qos: 1, retained: false }, async (m) => void seen.push(`plain ${m.topic}`));
  mqtt.subscribe("zigbee2mqtt/+", { qos: 1, retained: true }, async (m) => void seen.push(`retained ${m.topic} ${m.retain}`));
  expect(seen).toEqual(["retained zigbee2mqtt/front_door true"]);
});
