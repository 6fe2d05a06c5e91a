// `stanzagate check` on MQTT routes: every mistake at its file:line:col, all at once.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../../src/features/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import type { MqttRouteConfig } from "../../../../src/features/routes/mqtt-check.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";

const BROKER = "mqtt:\n  url: mqtt://127.0.0.1:1883\n";

function check(text: string): string[] {
  const result = loadConfig(text, {}, BUILTIN_PLUGINS);
  return result.ok ? [] : formatLines("routes.yaml", result.diagnostics);
}

describe("an MQTT route's check", () => {
  test("a valid route compiles with its defaults: QoS 1, retained off, binary refused, named after its topic", () => {
    const result = loadConfig(
      `${FAKE_HEAD + BROKER}routes:\n  - mqtt: { topic: "zigbee2mqtt/+", min_interval: 2m }\n    send: <message to="bob@localhost"><body>{{ body.contact }}</body></message>\n`,
      {},
      BUILTIN_PLUGINS,
    );
    if (!result.ok) throw new Error(formatLines("routes.yaml", result.diagnostics).join("\n"));
    const [route] = result.config.routes as unknown as MqttRouteConfig[];
    expect(route?.kind).toBe("mqtt");
    expect(route?.name).toBe("mqtt zigbee2mqtt/+");
    expect(route?.mqtt).toEqual({ topic: "zigbee2mqtt/+", qos: 1, retained: false, minIntervalMs: 120_000, binary: "refuse" });
  });

  test("every problem at its place: filter, names read, wildcards past the filter's, on_change, duplicate names", () => {
    const lines = check(`${FAKE_HEAD + BROKER}routes:
  - mqtt: { topic: "zigbee2mqtt/#/set" }
    send: <message to="bob@localhost"><body>x</body></message>
  - mqtt: { topic: "tele/+/SENSOR", qos: 3, min_interval: soon }
    send: <message to="bob@localhost"><body>{{ params.device }}</body></message>
  - mqtt: { topic: "stat/+/POWER" }
    when: headers.x == "1"
    on_change: bdy.state
    send: <message to="bob@localhost"><body>{{ wildcards[1] }}</body></message>
  - mqtt: { topic: "stat/+/POWER" }
    send: <message to="bob@localhost"><body>{{ body }}</body></message>
`);
    const known = "(known: topic, wildcards, body, retain, properties, id, and names set by {% for %} or {% assign %})";
    expect(lines).toEqual([
      'routes.yaml:10:20  error  routes[0].mqtt.topic  # must be a whole level and the last one (MQTT 5 §4.7.1.2), found "zigbee2mqtt/#/set"',
      "routes.yaml:12:42  error  routes[1].mqtt.qos  expected 0, 1 or 2, found 3",
      `routes.yaml:12:59  error  routes[1].mqtt.min_interval  expected string to match '^[1-9][0-9]*(ms|s|m|h)$', found "soon"`,
      `routes.yaml:13:48  error  routes[1].send  bad template: "params.device" starts with an unknown name ${known}`,
      `routes.yaml:15:11  error  routes[2].when  bad condition: "headers.x" starts with an unknown name ${known}`,
      `routes.yaml:16:16  error  routes[2].on_change  bad expression: "bdy.state" starts with an unknown name (did you mean "body"?) ${known}`,
      "routes.yaml:17:48  error  routes[2].send  template uses {{ wildcards[1] }} but the topic filter has 1 wildcard level (+ or #): wildcards[0] to wildcards[0]",
      'routes.yaml:18:5  error  routes[3].mqtt  routes[2] is already named "mqtt stat/+/POWER": give one of them its own name:',
    ]);
  });

  test("path: beside mqtt: is told as the choice it is, at the key, not as an unknown key", () => {
    const send = `<message to="bob@localhost"><body>x</body></message>`;
    expect(check(`${FAKE_HEAD + BROKER}routes:\n  - path: /both\n    mqtt: { topic: "a/b" }\n    send: '${send}'\n`)).toEqual([
      "routes.yaml:10:5  error  routes[0].path  a route takes either path: (HTTP requests) or mqtt: (a topic's messages), not both",
    ]);
  });

  test("an iq round trip is refused: a message has no caller to answer", () => {
    const send = `<iq type="get" to="localhost"><query xmlns="jabber:iq:version"/></iq>`;
    expect(check(`${FAKE_HEAD + BROKER}routes:\n  - mqtt: { topic: "a/b" }\n    send: '${send}'\n`)).toEqual([
      'routes.yaml:11:11  error  routes[0].send  an MQTT route has no caller to answer: an <iq type="get|set"> round trip needs an HTTP route',
    ]);
  });

  test("an MQTT route without the mqtt: section says so at its mqtt: key", () => {
    expect(
      check(`${FAKE_HEAD}routes:\n  - mqtt: { topic: "a/b" }\n    send: <message to="bob@localhost"><body>x</body></message>\n`),
    ).toEqual([
      "routes.yaml:8:5  error  routes[0].mqtt  an MQTT route needs the broker: add an mqtt: section (url: mqtt://...) at the top",
    ]);
  });
});
