// An MQTT route against sensor spam (on_change, min_interval, when, correct) and when the broker
// may acknowledge a message (the handler's promise: issue 23 §4). Driven by the broker connection's
// interface (test/helpers/fake-mqtt.ts) and an injected clock.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { fakeMqtt } from "../../../helpers/fake-mqtt.ts";
import { DOOR, fixture, world } from "./mqtt-world.ts";

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

  test("on_change with mqtt.share: compared with the value in the store, which another replica may have written", async () => {
    const shared = new Map<string, string>();
    const w = world(TEMPERATURE.replace(", min_interval: 30s", ""), { shared });
    const kitchen = JSON.stringify(["mqtt zigbee2mqtt/+", "zigbee2mqtt/kitchen"]);
    // Another replica sent 21.5 for the kitchen: this one, whose memory holds nothing, is quiet.
    shared.set(kitchen, "21.5");
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":21.5}');
    // This replica remembers 22 once it sent it, but the other one sent 21.5 since: 22 is a change again.
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22}');
    shared.set(kitchen, "21.5");
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22}');
    expect(w.counted).toEqual(["skipped_unchanged", "sent", "sent"]);
    expect(w.bodies()).toEqual(["kitchen 22°C", "kitchen 22°C"]);
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

  test("min_interval's trailing edge: the newest message it skipped is sent when the interval ends", async () => {
    const w = world(TEMPERATURE);
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":21.5}');
    w.clock.now += 10_000;
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22}');
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22.5}');
    await w.mqtt.deliver("zigbee2mqtt/bedroom", '{"temperature":19}');
    w.tick(20_000);
    await waitFor(() => w.sent.length === 3, 1_000, "the held reading");
    expect(w.bodies()).toEqual(["kitchen 21.5°C", "bedroom 19°C", "kitchen 22.5°C"]);
    expect(w.counted).toEqual(["sent", "skipped_interval", "skipped_interval", "sent", "sent"]);
    // Sent at the end of the interval: the next one opens a new interval, and is held in turn.
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":23}');
    w.tick(30_000);
    await waitFor(() => w.sent.length === 4, 1_000, "the next held reading");
    expect(w.bodies().at(-1)).toBe("kitchen 23°C");
  });

  test("a message after the interval goes at once; an older one still held is then never sent after it", async () => {
    const w = world(TEMPERATURE);
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":21.5}');
    w.clock.now += 10_000;
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":22}');
    w.clock.now += 25_000;
    await w.mqtt.deliver("zigbee2mqtt/kitchen", '{"temperature":23}');
    w.tick(60_000);
    await w.mqtt.deliver("zigbee2mqtt/marker", '{"temperature":0}');
    expect(w.bodies()).toEqual(["kitchen 21.5°C", "kitchen 23°C", "marker 0°C"]);
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
