/**
 * The end of a broker connection at a stop: "offline" on the status topic (retained), then the
 * connection closed, cleanly when it can be. A clean DISCONNECT sends no last will (MQTT 5 §3.1.2.5).
 */
import type { MqttClient } from "mqtt";

/** How long each step waits: "offline" written, then a clean end. */
const STEP_WAIT_MS = 2_000;

/**
 * `held`: messages taken and not acknowledged (receive.ts), which block mqtt.js's reading.
 * `endSession`: the DISCONNECT sets the session expiry to 0 (MQTT 5 §3.14.2.2.2). Resolves whether
 * the end was a DISCONNECT (a socket cut at once ends no session: the broker keeps it).
 */
export async function sayOfflineAndEnd(client: MqttClient, statusTopic: string, held: () => number, endSession = false): Promise<boolean> {
  // QoS 0: written after the PUBACKs, before the DISCONNECT, on one connection the broker reads in order.
  const said = client.publishAsync(statusTopic, "offline", { qos: 0, retain: true }).catch(() => undefined);
  await Promise.race([said, Bun.sleep(STEP_WAIT_MS)]);
  if (held() === 0) {
    const disconnect = endSession ? { reasonCode: 0, properties: { sessionExpiryInterval: 0 } } : {};
    await Promise.race([client.endAsync(false, disconnect).catch(() => undefined), Bun.sleep(STEP_WAIT_MS)]);
    return true;
  }
  // While a message is held mqtt.js reads nothing, so a clean end would wait for acknowledgements
  // it cannot read: the socket is half-closed at once instead, after what was written (mqtt-packet
  // corks its writes until the next tick: destroying it would drop the PUBACKs and "offline"), and
  // the broker publishes the last will, "offline" too.
  await Promise.race([new Promise<void>((flushed) => client.stream.end(() => flushed())), Bun.sleep(STEP_WAIT_MS)]);
  client.end(true);
  return false;
}
