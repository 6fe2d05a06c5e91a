// How the broker connection stops (src/mqtt/connection.ts stop()), against a real mosquitto: a
// graceful stop lets the message being handled finish and acknowledges it (the broker does not
// deliver it again) while taking no new one, and a stop with a message held unacknowledged closes
// the socket at once: mqtt.js reads nothing while a message is held, so a clean end would wait
// for acknowledgements it cannot read.
import { beforeAll, describe, expect, test } from "bun:test";
import type { MqttConfig } from "../../../src/mqtt/schema.ts";
import type { MqttMessage } from "../../../src/mqtt/types.ts";
import type { TestMosquitto } from "../../../testbed/mosquitto.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { memoryKeyed, online, text, useMqttBroker } from "../../helpers/mqtt-connection.ts";

const bed = useMqttBroker("mqtt-stop");
let broker: TestMosquitto;
beforeAll(() => void (broker = bed.broker()));

const connection = (settings: Partial<MqttConfig> & { url: string }, filters = memoryKeyed<Record<string, number>>()) =>
  bed.connection(settings, { filters });

const subscribed = (id: string, filter: string) =>
  waitFor(() => broker.log().includes(`${id} 1 ${filter}`), 5_000, `${filter} subscribed at the broker`, broker.log);

describe("stopping", () => {
  test("a graceful stop finishes and acknowledges the message being handled, takes no new one, and the broker keeps that one", async () => {
    const filters = memoryKeyed<Record<string, number>>();
    const first = connection({ url: broker.url, client_id: "t-grace" }, filters);
    const view = first.c.view();
    const handled: string[] = [];
    let release = () => {};
    view.mqtt.subscribe("grace/#", { qos: 1, retained: false }, (m) => {
      handled.push(text(m));
      return new Promise<void>((resolve) => (release = resolve));
    });
    view.ready();
    await online(first.c);
    await subscribed("t-grace", "grace/#");
    await broker.pub("grace/a", "in flight", { qos: 1, user: "sensor" });
    await waitFor(() => handled.length === 1, 5_000, "the first message handed to the route");
    await broker.pub("grace/b", "behind it", { qos: 1, user: "sensor" });
    const stopping = first.c.stop({ graceMs: 10_000 });
    release();
    await stopping;
    await broker.pub("grace/c", "after the stop", { qos: 1, user: "sensor" });

    const second = connection({ url: broker.url, client_id: "t-grace" }, filters);
    const again = second.c.view();
    const got: string[] = [];
    again.mqtt.subscribe("grace/#", { qos: 1, retained: false }, async (m: MqttMessage) => void got.push(text(m)));
    again.ready();
    await waitFor(
      () => got.includes("after the stop"),
      10_000,
      "the message published after the stop",
      () => got.join("|"),
    );
    expect({ handled, got }).toEqual({ handled: ["in flight"], got: ["behind it", "after the stop"] });
  });

  test("a stop with a message held closes the socket at once, though a publish of its own waits for an acknowledgement it cannot read", async () => {
    const { c } = connection({ url: broker.url, client_id: "t-held" });
    const view = c.view();
    let arrived = 0;
    view.mqtt.subscribe("held/#", { qos: 1, retained: false }, () => {
      arrived++;
      return new Promise<void>(() => {}); // never safe: held
    });
    view.ready();
    await online(c);
    await subscribed("t-held", "held/#");
    await broker.pub("held/a", "held", { qos: 1, user: "sensor" });
    await waitFor(() => arrived === 1, 5_000, "the message handed to the route");
    // Its PUBACK comes behind the held message, which mqtt.js does not read past.
    const published = c.publish("out/a", "x", { qos: 1, retain: false }).then(
      () => "acknowledged",
      (err: { code?: string }) => err.code,
    );
    await waitFor(() => broker.log().includes("Received PUBLISH from t-held"), 5_000, "the publish at the broker", broker.log);
    await c.stop();
    // Not a clean DISCONNECT (that would wait for the PUBACK): the broker sees the socket close.
    await waitFor(
      () => broker.log().includes("Client t-held closed its connection"),
      5_000,
      "the socket closed",
      () => broker.log().slice(-1500),
    );
    expect(await published).toBe("MQTT_UNAVAILABLE");
  });
});
