// Overlapping topic filters (issue 23 §2; review finding 12): a broker sends one copy of a message
// per matching subscription (MQTT 5 §3.3.4), so routes on `sensors/#` and `#`, or a bot job on
// `zigbee2mqtt/+` beside a route on `zigbee2mqtt/#`, must still handle each message exactly once.
// Published with mosquitto_pub; counted at bob up to a marker that comes after everything else.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { startMosquitto, type TestMosquitto } from "../../../testbed/mosquitto.ts";
import { isMessageWithBody } from "../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { logTail } from "../../helpers/gateway.ts";
import { MARKER_ROUTE, routesSubscribed } from "../../helpers/mqtt-marker.ts";
import { testServers } from "../../helpers/servers.ts";

const BOB = '<message to="bob@localhost" type="chat">';

const routes = (broker: string, domain: string) => `
mqtt:
  url: ${broker}
bots:
  - jid: house@${domain}
    allow: ["bob@localhost"]
    jobs:
      - name: doors
        mqtt: { topic: "zigbee2mqtt/+" }
        send: [{ to: bob@localhost, text: "JOB {{ wildcards[0] }}" }]
routes:
  - name: sensors
    mqtt: { topic: "sensors/#" }
    send: ${BOB}<body>IN {{ topic }}</body></message>
  - name: all
    mqtt: { topic: "#" }
    when: topic != "test/marker"
    send: ${BOB}<body>ALL {{ topic }}</body></message>
  - name: z-all
    mqtt: { topic: "zigbee2mqtt/#" }
    send: ${BOB}<body>Z {{ topic }}</body></message>
${MARKER_ROUTE}`;

for (const server of testServers())
  describe(server.name, () => {
    let broker: TestMosquitto;
    beforeAll(async () => void (broker = await startMosquitto()));
    const bed = useTestBed(server, {
      gateway: (xmpp) => ({ routes: routes(broker.url, xmpp.componentDomain) }),
      clients: ["bob"],
    });
    afterAll(() => broker.stop());

    const body = (s: Element) => s.getChildText("body") ?? "";
    let markers = 0;
    /** Every body bob gets up to the marker published after what the test published: what those messages gave, all of it. */
    const upToMarker = async (): Promise<string[]> => {
      const m = `marker ${++markers}`;
      await broker.pub("test/marker", String(markers), { qos: 1 });
      const got: string[] = [];
      for (;;) {
        const s = await bed.bob.nextStanza(isMessageWithBody);
        if (body(s) === m) return got.sort();
        if (!body(s).startsWith("marker")) got.push(body(s));
      }
    };

    test("every route and job whose filter matches handles a message once, whatever other filters also match it", async () => {
      await routesSubscribed(broker, bed.bob, logTail(bed.gw.logs));
      await broker.pub("sensors", "bare", { qos: 1 });
      await broker.pub("sensors/kitchen/temp", "21", { qos: 1 });
      expect(await upToMarker()).toEqual(["ALL sensors", "ALL sensors/kitchen/temp", "IN sensors", "IN sensors/kitchen/temp"]);
      await broker.pub("zigbee2mqtt/garage", '{"contact":false}', { qos: 1 });
      expect(await upToMarker()).toEqual(["ALL zigbee2mqtt/garage", "JOB garage", "Z zigbee2mqtt/garage"]);
    });
  });
