// MQTT out while MQTT in holds a message back (review findings 15 and 18) against a real
// mosquitto: a QoS 1 message whose route cannot hand it on (the outbox is full while the XMPP
// server is away) is held unacknowledged, and mqtt.js reads nothing more from that connection
// meanwhile. Publishing must not wait for it (its own connection), and the held connection must
// not be dropped by the client's keepalive check, which would blame the broker.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../../../src/log.ts";
import { MqttConnection } from "../../../src/mqtt/connection.ts";
import { mqttDefaults, type MqttConfig } from "../../../src/mqtt/schema.ts";
import { GatewayError } from "../../../src/plugin-api/errors.ts";
import { startMosquitto, type TestMosquitto } from "../../../testbed/mosquitto.ts";
import { waitFor } from "../../../testbed/timeouts.ts";

const USERS = { gateway: "gw-s3cret", sensor: "sensor-pw" };
let broker: TestMosquitto;
const open: MqttConnection[] = [];

beforeAll(async () => {
  broker = await startMosquitto({ users: USERS });
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.stop();
});
afterAll(() => broker.stop());

function connection(settings: Partial<MqttConfig>) {
  const raw = {
    clean: false,
    session_expiry_s: 600,
    keepalive_s: 30,
    max_payload_bytes: 1024,
    username: "gateway",
    password: USERS.gateway,
  };
  const config = mqttDefaults({ url: broker.url, ...raw, ...settings, reconnect: { initial_ms: 50, max_ms: 200 } }, "gw.localhost");
  const memory = new Map<string, Record<string, number>>();
  const filters = {
    get: (k: string) => memory.get(k),
    set: (k: string, v: Record<string, number>) => void memory.set(k, v),
    delete: (k: string) => void memory.delete(k),
  };
  const c = new MqttConnection(config, { log: createLogger({ level: "error", write: () => {} }), filters });
  open.push(c);
  return c;
}

/** A route whose outbox is full: every attempt fails with OUTBOX_FULL until `release()`. */
function heldRoute(c: MqttConnection, filter: string) {
  const state = { attempts: 0, handled: 0, full: true };
  const view = c.view();
  view.mqtt.subscribe(filter, { qos: 1, retained: false }, async () => {
    state.attempts++;
    if (state.full) throw new GatewayError("OUTBOX_FULL");
    state.handled++;
  });
  view.ready();
  return { state, release: () => void (state.full = false) };
}

async function holdOne(c: MqttConnection, id: string, topic: string) {
  await waitFor(
    () => c.status().state === "online",
    10_000,
    "online",
    () => JSON.stringify(c.status()),
  );
  await waitFor(() => broker.log().includes(`${id} 1 ${topic.replace(/\/[^/]+$/, "/#")}`), 5_000, "the subscription", broker.log);
  await broker.pub(topic, "1", { qos: 1, user: "sensor" });
}

describe("publishing while a received message is held (XMPP down, outbox full)", () => {
  test("a QoS 1 publish is acknowledged while the held message is still held, on <client_id>-pub", async () => {
    const c = connection({ client_id: "t-held" });
    const route = heldRoute(c, "held/#");
    await holdOne(c, "t-held", "held/door");
    await waitFor(() => route.state.attempts >= 2, 5_000, "the message to be held and retried");
    await c.publish("zigbee2mqtt/hall/set", '{"state":"ON"}', { qos: 1, retain: false });
    expect({ handled: route.state.handled, state: c.status().state }).toEqual({ handled: 0, state: "online" });
    expect(broker.log()).toContain("Received PUBLISH from t-held-pub");
    route.release();
    await waitFor(() => route.state.handled === 1, 5_000, "the held message, once the outbox has room");
  });

  test("a held message does not drop the connection by the client's keepalive check", async () => {
    const c = connection({ client_id: "t-ka", keepalive_s: 1 });
    const route = heldRoute(c, "ka/#");
    await holdOne(c, "t-ka", "ka/door");
    await waitFor(() => route.state.attempts >= 1, 5_000, "the message to be held");
    // mqtt.js gives up after 1.5 keepalives without a PINGRESP: three PINGREQs span more than that.
    const pings = () => broker.log().split("Received PINGREQ from t-ka\n").length - 1;
    const before = pings();
    await waitFor(() => pings() >= before + 3, 10_000, "three keepalive pings while the message is held", broker.log);
    expect({ handled: route.state.handled, reconnects: c.stats().reconnects, state: c.status().state }).toEqual({
      handled: 0,
      reconnects: 0,
      state: "online",
    });
    route.release();
    await waitFor(() => route.state.handled === 1, 5_000, "the held message, once the outbox has room");
  });
});
