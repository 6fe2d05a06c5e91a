// MQTT out (issue 23 §3) against a real mosquitto and a real XMPP server: bob's chat command
// publishes to the broker and `mosquitto_sub` (the real receiver) sees it; a door sensor published
// with `mosquitto_pub` reaches bob through the house bot's watching job, once per change; an HTTP
// route's `publish:` is answered 201 once the broker has the message; a reload's job renders with
// its new template, once per message; with the broker killed the command says so and the route
// answers 503 MQTT_UNAVAILABLE. Waits only on observable events: lines printed by mosquitto_sub,
// stanzas bob receives, a marker message through the job.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { startMosquitto, type TestMosquitto } from "../../../../testbed/mosquitto.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { configHead, loadTestConfig, logTail } from "../../../helpers/gateway.ts";
import { testServers } from "../../../helpers/servers.ts";

const TOKEN = "mqtt-out-token-0123456789";

const routes = (broker: string, domain: string) => `
mqtt:
  url: ${broker}
  reconnect: { initial_ms: 100, max_ms: 500 }
auth:
  ops: { kind: bearer, tokens: [{ name: ops, token: ${TOKEN} }] }
bots:
  - jid: house@${domain}
    allow: ["bob@localhost"]
    commands:
      - match: '^light (?<room>\\S+) (?<state>on|off)$'
        mqtt:
          topic: "zigbee2mqtt/{{ match.room }}/set"
          payload: { state: "{{ match.state | upcase }}" }
        reply: "{{ match.room }} light {{ match.state }} ({{ mqtt.topic }})"
        error: "{{ match.room }} light not switched: {{ error }}"
    jobs:
      - name: doors
        mqtt: { topic: "zigbee2mqtt/+/contact" }
        on_change: body.contact
        send: [{ to: bob@localhost, text: "{{ wildcards[0] }} is {% if body.contact %}closed{% else %}open{% endif %}" }]
      - name: marker
        mqtt: { topic: "test/marker" }
        send: [{ to: bob@localhost, text: "marker {{ body }}" }]
routes:
  - path: /lights/:room
    auth: ops
    body: { state: string }
    publish:
      topic: "zigbee2mqtt/{{ params.room }}/set"
      payload: { state: "{{ body.state | upcase }}" }
`;

/** A mosquitto_sub kept running: every `topic payload` line it prints, in order. */
function receiver(broker: TestMosquitto, filter: string) {
  const proc = Bun.spawn(["mosquitto_sub", ...broker.clientArgs(), "-q", "1", "-v", "-t", filter, "-t", "test/ready"], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  void (async () => {
    let rest = "";
    for await (const chunk of proc.stdout) {
      rest += new TextDecoder().decode(chunk);
      const parts = rest.split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts);
    }
  })();
  return {
    lines,
    /** The retained test/ready comes right after the broker's SUBACK: from then on nothing is missed. */
    ready: () =>
      waitFor(
        () => lines.includes("test/ready yes"),
        10_000,
        "mosquitto_sub subscribed",
        () => broker.log(),
      ),
    next: (prefix: string) =>
      waitFor(
        () => lines.find((l) => l.startsWith(prefix)),
        15_000,
        `mosquitto_sub printing ${prefix}`,
        () => lines.join("\n"),
      ),
    stop: () => proc.kill(),
  };
}

for (const server of testServers())
  describe(server.name, () => {
    let broker: TestMosquitto;
    beforeAll(async () => {
      broker = await startMosquitto();
      await broker.pub("test/ready", "yes", { qos: 1, retain: true });
    });
    const bed = useTestBed(server, {
      gateway: (xmpp) => ({ routes: routes(broker.url, xmpp.componentDomain) }),
      clients: ["bob"],
    });
    afterAll(() => broker.stop());

    const house = () => `house@${bed.server.componentDomain}`;
    const fromHouse = (s: Element) => isMessageWithBody(s) && s.attrs.from?.startsWith(house()) === true;
    const say = (text: string) => bed.bob.send(xml("message", { to: house(), type: "chat" }, xml("body", {}, text)));
    const next = async () => (await bed.bob.nextStanza(fromHouse)).getChildText("body");
    const lights = (room: string, state: string) =>
      fetch(`${bed.gw.url}/lights/${room}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ state }),
      });
    let markers = 0;

    test("bob's `light kitchen on` is published to zigbee2mqtt/kitchen/set: mosquitto_sub receives it, bob reads the topic", async () => {
      const sub = receiver(broker, "zigbee2mqtt/+/set");
      try {
        await sub.ready();
        await say("light kitchen on");
        expect(await next()).toBe(`kitchen light on (zigbee2mqtt/kitchen/set)`);
        expect(await sub.next("zigbee2mqtt/")).toBe('zigbee2mqtt/kitchen/set {"state":"ON"}');
      } finally {
        sub.stop();
      }
    });

    test("a door sensor published with mosquitto_pub reaches bob through the watching job, once per change of contact", async () => {
      // The job's subscription is live once a marker published through it comes back.
      await waitFor(
        async () => (
          await broker.pub("test/marker", String(++markers), { qos: 1 }),
          bed.bob.received.some((s) => s.getChildText("body")?.startsWith("marker"))
        ),
        15_000,
        "the watching job's first marker",
        logTail(bed.gw.logs),
        300,
      );
      // Markers may still be on their way: everything before this one is read past.
      await broker.pub("test/marker", "sync", { qos: 1 });
      await bed.bob.nextStanza((s) => fromHouse(s) && s.getChildText("body") === "marker sync");
      bed.bob.clearBuffer();
      await broker.pub("zigbee2mqtt/front_door/contact", '{"contact":false,"battery":97,"linkquality":120}', { qos: 1 });
      expect(await next()).toBe("front_door is open");
      await broker.pub("zigbee2mqtt/front_door/contact", '{"contact":false,"battery":96,"linkquality":110}', { qos: 1 });
      await broker.pub("zigbee2mqtt/front_door/contact", '{"contact":true,"battery":96,"linkquality":110}', { qos: 1 });
      expect(await next()).toBe("front_door is closed");
      await broker.pub("test/marker", "last", { qos: 1 });
      expect(await next()).toBe("marker last");
    });

    test("POST /lights/hall publishes; 201 once the broker has it, with the topic; mosquitto_sub receives it", async () => {
      const sub = receiver(broker, "zigbee2mqtt/+/set");
      try {
        await sub.ready();
        const res = await lights("hall", "off");
        expect({ status: res.status, body: await res.json() }).toEqual({
          status: 201,
          body: { status: "published", topic: "zigbee2mqtt/hall/set", qos: 1, retain: false, bytes: 15 },
        });
        expect(await sub.next("zigbee2mqtt/")).toBe('zigbee2mqtt/hall/set {"state":"OFF"}');
      } finally {
        sub.stop();
      }
    });

    test("a state with quotes adds no key: the mapping payload is JSON the gateway writes (mosquitto_sub shows one string)", async () => {
      const sub = receiver(broker, "zigbee2mqtt/+/set");
      try {
        await sub.ready();
        expect((await lights("hall", 'on","evil":"1')).status).toBe(201);
        expect(await sub.next("zigbee2mqtt/")).toBe('zigbee2mqtt/hall/set {"state":"ON\\",\\"EVIL\\":\\"1"}');
      } finally {
        sub.stop();
      }
    });

    test("a path value with / (%2F) or a wildcard is 400 MQTT_TOPIC_INVALID", async () => {
      for (const room of ["a%2Fb", "%2B", "%23"]) {
        const res = await lights(room, "on");
        expect({ status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({
          status: 400,
          code: "MQTT_TOPIC_INVALID",
        });
      }
    });

    test("a reload: the watching job renders with its new template, once per message (the old subscription is closed)", async () => {
      const changed = routes(broker.url, bed.server.componentDomain).replace('text: "marker {{ body }}"', 'text: "marker v2 {{ body }}"');
      await bed.gw.gateway.reload(loadTestConfig(configHead(bed.server) + changed));
      await broker.pub("test/marker", "after", { qos: 1 });
      expect(await next()).toBe("marker v2 after");
      await say("light kitchen off");
      expect(await next()).toBe("kitchen light off (zigbee2mqtt/kitchen/set)");
    });

    test("with the broker killed: the route answers 503 MQTT_UNAVAILABLE and the command says the broker is unavailable", async () => {
      await broker.kill();
      try {
        await waitFor(
          async () => (await lights("hall", "on")).status === 503,
          15_000,
          "the gateway seeing the broker gone",
          logTail(bed.gw.logs),
        );
        const res = await lights("hall", "on");
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).not.toBeNull();
        expect(await res.json()).toMatchObject({ code: "MQTT_UNAVAILABLE" });
        await say("light porch off");
        expect(await next()).toStartWith("porch light not switched: the MQTT broker is unavailable (");
      } finally {
        await broker.start();
      }
    });
  });
