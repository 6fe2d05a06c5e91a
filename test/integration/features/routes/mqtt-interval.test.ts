// min_interval's trailing edge (review finding 6) against a real mosquitto and XMPP server: three
// quick readings published with mosquitto_pub; bob gets the first at once and the last when the
// interval ends, as a correction of the first (correct: key topic), and never the one between.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startMosquitto, type TestMosquitto } from "../../../../testbed/mosquitto.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { logTail } from "../../../helpers/gateway.ts";
import { MARKER_ROUTE, routesSubscribed } from "../../../helpers/mqtt-marker.ts";
import { testServers } from "../../../helpers/servers.ts";

const BOB = '<message to="bob@localhost" type="chat">';

const routes = (broker: string) => `
mqtt:
  url: ${broker}
routes:
  - name: climate
    mqtt: { topic: "clim/+", min_interval: 1s }
    correct: { key: topic }
    send: ${BOB}<body>{{ wildcards[0] }} {{ body.temperature }}</body></message>
${MARKER_ROUTE}`;

for (const server of testServers())
  describe(server.name, () => {
    let broker: TestMosquitto;
    beforeAll(async () => void (broker = await startMosquitto()));
    const bed = useTestBed(server, { gateway: () => ({ routes: routes(broker.url) }), clients: ["bob"] });
    afterAll(() => broker.stop());

    test("the last reading of a burst is sent when the interval ends, correcting the first; the one between never", async () => {
      await routesSubscribed(broker, bed.bob, logTail(bed.gw.logs));
      for (const t of [20, 21, 22]) await broker.pub("clim/hall", `{"temperature":${t}}`, { qos: 1 });
      const first = await bed.bob.nextStanza(isMessageWithBody);
      expect(first.getChildText("body")).toBe("hall 20");
      const last = await bed.bob.nextStanza(isMessageWithBody);
      expect(last.getChildText("body")).toBe("hall 22");
      expect(last.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(first.attrs.id);
      await broker.pub("test/marker", "2", { qos: 1 });
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("marker 2");
      const metrics = await (await fetch(`${bed.gw.url}/metrics`)).text();
      expect(metrics).toContain('stanzagate_mqtt_route_messages_total{route="climate",outcome="skipped_interval"} 2');
      expect(metrics).toContain('stanzagate_mqtt_route_messages_total{route="climate",outcome="sent"} 2');
    });
  });
