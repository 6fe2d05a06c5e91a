// The marker of MQTT integration tests: a route that tells bob each message published on
// test/marker, so "everything published before it was handled" is seen (messages of one broker
// connection are handled in order), never waited for.
import type { TestMosquitto } from "../../testbed/mosquitto.ts";
import type { TestClient } from "../../testbed/xmpp-client.ts";
import { waitFor, type Detail } from "../../testbed/timeouts.ts";

/** An MQTT route entry of routes.yaml (under routes:). */
export const MARKER_ROUTE = `  - name: marker
    mqtt: { topic: "test/marker" }
    send: <message to="bob@localhost" type="chat"><body>marker {{ body }}</body></message>
`;

/**
 * Resolves once the gateway's subscriptions stand (a marker comes back to bob), with bob's
 * buffer read past every marker sent meanwhile.
 */
export async function routesSubscribed(broker: TestMosquitto, bob: TestClient, detail: Detail): Promise<void> {
  await waitFor(
    async () => (await broker.pub("test/marker", "0", { qos: 1 }), bob.received.some((s) => s.getChildText("body") === "marker 0")),
    15_000,
    "the routes subscribed",
    detail,
    300,
  );
  await broker.pub("test/marker", "sync", { qos: 1 });
  await bob.nextStanza((s) => s.getChildText("body") === "marker sync");
  bob.clearBuffer();
}
