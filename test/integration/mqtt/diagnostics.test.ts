// What the broker connection tells the operator (src/mqtt/connection.ts, diagnosis.ts)
// against a real mosquitto (review of issue 23, findings 9, 14, 16c-d): a session another client
// took over, a TLS handshake with a plain port, a certificate for another name, and a session
// ended on purpose when the `mqtt:` section is removed.
import { beforeAll, describe, expect, test } from "bun:test";
import type { MqttConnection } from "../../../src/mqtt/connection.ts";
import type { MqttConfig } from "../../../src/mqtt/schema.ts";
import type { TestMosquitto } from "../../../testbed/mosquitto.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { memoryKeyed, online, useMqttBroker } from "../../helpers/mqtt-connection.ts";

/** Long enough that a test never sees a second attempt after a takeover. */
const MAX_MS = 600_000;
const bed = useMqttBroker("mqtt-diag");
let broker: TestMosquitto;
beforeAll(() => void (broker = bed.broker()));
const store = memoryKeyed<Record<string, number>>();

/** Started at once; a session taken over waits MAX_MS before its next attempt. */
function connection(settings: Partial<MqttConfig> & { url: string; client_id: string }) {
  const opened = bed.connection(settings, { filters: store, reconnect: { initial_ms: 50, max_ms: MAX_MS } });
  opened.c.view().ready();
  return opened;
}

const failedWith = (c: MqttConnection) =>
  waitFor(
    () => c.status().lastError !== undefined,
    10_000,
    "a last_error",
    () => JSON.stringify(c.status()),
  ).then(() => c.status().lastError);

describe("a session taken over by another client with the same client id", () => {
  test("they swap it once each; then the one taken over twice says so in last_error and a warning naming the client id, and waits reconnect.max_ms", async () => {
    const first = connection({ url: broker.url, client_id: "t-twin" });
    await online(first.c);
    const second = connection({ url: broker.url, client_id: "t-twin" });
    const warned = (logs: string[]) =>
      logs.map((l) => JSON.parse(l)).find((l) => l.msg === "the MQTT session was taken over by another client");
    const warning = await waitFor(
      () => warned(first.logs) ?? warned(second.logs),
      10_000,
      "a takeover warning",
      () => JSON.stringify([first.c.status(), second.c.status()]),
    );
    expect(warning).toMatchObject({ level: "warn", client_id: "t-twin", retry_in_ms: MAX_MS });
    const [kicked, holder] = warned(first.logs) ? [first.c, second.c] : [second.c, first.c];
    expect(kicked.status()).toMatchObject({
      state: "offline",
      lastError:
        "the broker gave the session to another connection with the same client id (it closed the connection right after accepting it, twice): is mqtt.client_id t-twin used by two gateways?",
    });
    await online(holder);
  });

  test("a broker restart right after the CONNACK is one quiet close: told as such, and retried at once", async () => {
    const { c, logs } = connection({ url: broker.url, client_id: "t-restart-quick" });
    await online(c);
    await broker.restart();
    await waitFor(
      () => c.stats().reconnects >= 1 && c.status().state === "online",
      10_000,
      "back online",
      () => JSON.stringify(c.status()),
    );
    const told = logs.map((l) => JSON.parse(l)).find((l) => l.msg === "the MQTT broker disconnected the gateway");
    expect(told?.error).toStartWith("the broker closed the connection with no reason given");
  });
});

describe("TLS failures", () => {
  test("mqtts:// to a plain MQTT port: the handshake failure asks whether the port is a TLS listener", async () => {
    const { c } = connection({ url: `mqtts://localhost:${broker.port}`, ca_file: broker.caFile as string, client_id: "t-plain" });
    expect(await failedWith(c)).toStartWith("TLS handshake failed: is the port a TLS listener? (");
  });

  test("a certificate for another name: the error names the host dialled and ends with no empty list", async () => {
    const tlsIp = (broker.tlsUrl as string).replace("localhost", "127.0.0.1");
    const { c } = connection({ url: tlsIp, ca_file: broker.caFile as string, client_id: "t-name" });
    const error = await failedWith(c);
    expect(error).toContain("127.0.0.1");
    expect(error).not.toMatch(/: *$/);
  });
});

describe("ending the persistent session", () => {
  test("stop({ endSession: true }) ends it at the broker: the next connect finds none, and the filters are forgotten", async () => {
    const first = connection({ url: broker.url, client_id: "t-end" });
    first.c.view().mqtt.subscribe("gone/#", { qos: 1, retained: false }, async () => {});
    await online(first.c);
    await waitFor(() => store.map.get("t-end")?.["gone/#"] === 1, 5_000, "gone/# subscribed");
    await first.c.stop({ endSession: true });
    expect(store.map.get("t-end")).toBeUndefined();
    const again = connection({ url: broker.url, client_id: "t-end" });
    await online(again.c);
    expect(again.logs.map((l) => JSON.parse(l)).find((l) => l.msg === "connected to the MQTT broker")).toMatchObject({
      session_present: false,
    });
  });

  test("a plain stop keeps it (a restart finds its session)", async () => {
    const first = connection({ url: broker.url, client_id: "t-keep" });
    await online(first.c);
    await first.c.stop();
    const again = connection({ url: broker.url, client_id: "t-keep" });
    await online(again.c);
    expect(again.logs.map((l) => JSON.parse(l)).find((l) => l.msg === "connected to the MQTT broker")).toMatchObject({
      session_present: true,
    });
  });
});
