// An MQTT route, one message at a time (issue 23 §2): what its templates read of a message, and
// what becomes of a payload that is not UTF-8. Spam and acknowledgement: mqtt-pacing.test.ts.
import { describe, expect, test } from "bun:test";
import { DOOR, fixture, world } from "./mqtt-world.ts";

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
