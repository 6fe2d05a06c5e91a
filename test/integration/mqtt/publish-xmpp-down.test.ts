// Review finding 18 end to end (real XMPP server, real mosquitto): with the XMPP server stopped
// and the outbox full, a QoS 1 message for an MQTT route is held unacknowledged; meanwhile an
// HTTP `publish:` (nothing to do with XMPP) is still answered 201 and mosquitto_sub sees it,
// `/health` keeps the broker `online`; once the server is back the held message is handed on.
import { describe, expect, test } from "bun:test";
import { startMosquitto } from "../../../testbed/mosquitto.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { logTail, startGateway } from "../../helpers/gateway.ts";
import { testServers } from "../../helpers/servers.ts";

/** A server restart in the test: ejabberd alone may take up to 45 s to start on a busy machine. */
const SERVER_TEST_MS = 150_000;

const routes = (broker: string) => `
outbox: { max_stanzas: 1 }
mqtt:
  url: ${broker}
  reconnect: { initial_ms: 100, max_ms: 500 }
routes:
  - path: /note
    send: <message to="bob@localhost" type="chat"><body>note</body></message>
  - name: sensors
    mqtt: { topic: "sensors/#", qos: 1 }
    send: <message to="bob@localhost" type="chat"><body>IN {{ topic }} {{ body }}</body></message>
  - path: /lights/:room
    body: { state: { type: string, enum: ["on", "off"] } }
    publish: { topic: "zigbee2mqtt/{{ params.room }}/set", payload: { state: "{{ body.state | upcase }}" } }
`;

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { clients: ["bob"] });

    test(
      "XMPP down, outbox full, an MQTT message held: POST /lights/hall is still 201, the broker link stays online",
      async () => {
        const broker = await startMosquitto();
        const gw = await startGateway(bed.server, { routes: routes(broker.url) });
        try {
          const mqttState = async () => ((await (await fetch(`${gw.url}/health`)).json()) as { mqtt: { state: string } }).mqtt.state;
          await waitFor(async () => (await mqttState()) === "online", 10_000, "the broker connection", logTail(gw.logs));
          await waitFor(() => broker.log().includes("sensors/#"), 10_000, "the subscription", broker.log);
          await bed.server.stopProcess();
          await waitFor(() => gw.gateway.link.status !== "online", 15_000, "the link to drop", logTail(gw.logs));
          expect((await post(`${gw.url}/note`, {})).status).toBe(202);
          await broker.pub("sensors/door", "open", { qos: 1 });
          const held = () => gw.logs.some((l) => l.msg === "an MQTT message waits: retrying before it is acknowledged");
          await waitFor(held, 15_000, "the MQTT message to be held (outbox full)", logTail(gw.logs));

          // Answered 201 only after the broker's PUBACK (publish.ts), read on the publishing connection.
          const res = await post(`${gw.url}/lights/hall`, { state: "on" });
          expect({ status: res.status, body: await res.json() }).toMatchObject({ status: 201, body: { status: "published" } });
          expect(broker.log()).toMatch(/Received PUBLISH from stanzagate-[^ ]+-pub .*'zigbee2mqtt\/hall\/set'/);
          const handedOn = async () =>
            /route_messages_total\{route="sensors",outcome="(sent|queued)"\} 1/.test(await (await fetch(`${gw.url}/metrics`)).text());
          expect({ mqtt: await mqttState(), queued: gw.gateway.delivery.queued, handedOn: await handedOn() }).toEqual({
            mqtt: "online",
            queued: 1,
            handedOn: false,
          });

          await bed.server.startProcess();
          await waitFor(handedOn, 60_000, "the held message handed on once the server is back", logTail(gw.logs));
        } finally {
          await gw.stop();
          broker.stop();
        }
      },
      SERVER_TEST_MS,
    );
  });
