// `stanzagate render --route mqtt:TOPIC`: what one MQTT message would send through the routes
// whose filter takes it, offline, with the same handler as serve.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { jobWatchers } from "../../../../src/features/bots/render-watch.ts";
import { renderCommand } from "../../../../src/features/routes/render-cli.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";

const config = loadTestConfig(`${FAKE_HEAD}mqtt:
  url: mqtt://127.0.0.1:1883
routes:
  - name: doors
    mqtt: { topic: "zigbee2mqtt/+" }
    when: body.contact != nil
    send: <message to="bob@localhost"><body>{{ wildcards[0] }} {% if body.contact %}closed{% else %}open{% endif %}</body></message>
  - name: all
    mqtt: { topic: "zigbee2mqtt/#" }
    send: <message to="bob@localhost"><body>{{ topic }}</body></message>
  - name: meters
    mqtt: { topic: "meters/+" }
    send: <message to="bob@localhost"><body>{{ body.id }} {{ body.kwh }} {{ body | json }}</body></message>
`);

async function render(route: string, body?: string | Uint8Array) {
  const out: string[] = [];
  const err: string[] = [];
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const code = await renderCommand(
    config,
    { route, headers: [], query: [], pretty: false, ...(bytes ? { body: bytes } : {}) },
    { out: (l) => void out.push(l), err: (l) => void err.push(l) },
  );
  return { code, out, err };
}

describe("render --route mqtt:TOPIC", () => {
  test("prints what every route taking the topic would send", async () => {
    const door = readFileSync(new URL("../../../fixtures/mqtt/z2m-door-open.json", import.meta.url));
    expect(await render("mqtt:zigbee2mqtt/front_door", door)).toEqual({
      code: 0,
      out: [
        '<message to="bob@localhost" from="gateway.localhost" id="render-1"><body>front_door open</body></message>',
        '<message to="bob@localhost" from="gateway.localhost" id="render-1"><body>zigbee2mqtt/front_door</body></message>',
      ],
      err: [],
    });
  });

  test("an integer past 2^53 in a payload prints with every digit (as text); other numbers as JSON reads them", async () => {
    expect(await render("mqtt:meters/m1", '{"id":12345678901234567890,"kwh":1234.5}')).toEqual({
      code: 0,
      out: [
        '<message to="bob@localhost" from="gateway.localhost" id="render-1"><body>12345678901234567890 1234.5 {"id":"12345678901234567890","kwh":1234.5}</body></message>',
      ],
      err: [],
    });
  });

  test("says when: held a message back, and why a route refuses one (exit 1)", async () => {
    expect(await render("mqtt:zigbee2mqtt/cam", new Uint8Array([0xff]))).toEqual({
      code: 1,
      out: [],
      err: [
        "doors: the payload is not UTF-8 (mqtt.binary: base64 takes it as base64 text)",
        "all: the payload is not UTF-8 (mqtt.binary: base64 takes it as base64 text)",
      ],
    });
    expect((await render("mqtt:zigbee2mqtt/bridge", "{}")).err).toEqual([
      "doors: nothing would be sent (when: is false, or the templates produced no stanza)",
    ]);
  });

  test("a topic no route takes, or one that is not a topic, exits 2 saying so", async () => {
    expect(await render("mqtt:tele/plug/SENSOR")).toEqual({
      code: 2,
      out: [],
      err: ["no MQTT route or bot job takes tele/plug/SENSOR (route topics: zigbee2mqtt/+, zigbee2mqtt/#, meters/+)"],
    });
    expect((await render("mqtt:zigbee2mqtt/+")).err).toEqual(["a topic to publish to cannot contain the wildcards + or # (MQTT 5 §4.7.1)"]);
  });
});

describe("render --route mqtt:TOPIC with bot jobs watching topics", () => {
  const withJobs = loadTestConfig(`${FAKE_HEAD}mqtt:
  url: mqtt://127.0.0.1:1883
bots:
  - jid: house@gateway.localhost
    allow: ["*"]
    jobs:
      - name: doors
        mqtt: { topic: "zigbee2mqtt/+" }
        when: body.contact != nil
        on_change: body.contact
        send: [{ to: bob@localhost, text: "{{ wildcards[0] }} is {% if body.contact %}closed{% else %}open{% endif %}" }]
routes:
  - name: all
    mqtt: { topic: "zigbee2mqtt/#" }
    send: <message to="bob@localhost"><body>{{ topic }}</body></message>
`);
  const renderJobs = async (route: string, body: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await renderCommand(
      withJobs,
      { route, headers: [], query: [], pretty: false, body: new TextEncoder().encode(body), watchers: jobWatchers(withJobs.bots) },
      { out: (l) => void out.push(l), err: (l) => void err.push(l) },
    );
    return { code, out: out.map((l) => l.replace(/ id="[^"]*"/, "")), err };
  };

  test("prints what the routes and then each job watching the topic would send (no earlier run: on_change never holds it)", async () => {
    expect(await renderJobs("mqtt:zigbee2mqtt/front_door", '{"contact":false}')).toEqual({
      code: 0,
      out: [
        '<message to="bob@localhost" from="gateway.localhost"><body>zigbee2mqtt/front_door</body></message>',
        '<message to="bob@localhost" from="house@gateway.localhost" type="chat"><body>front_door is open</body></message>',
      ],
      err: [],
    });
  });

  test("a job's when: that does not hold is said; a topic only a job takes is not 'no route'", async () => {
    expect((await renderJobs("mqtt:zigbee2mqtt/lamp", '{"state":"ON"}')).err).toEqual([
      "job doors (house@gateway.localhost): nothing would be sent (when: is false)",
    ]);
    expect(await renderJobs("mqtt:tele/plug/SENSOR", "{}")).toEqual({
      code: 2,
      out: [],
      err: ["no MQTT route or bot job takes tele/plug/SENSOR (route topics: zigbee2mqtt/#; bot jobs watch: zigbee2mqtt/+)"],
    });
  });
});
