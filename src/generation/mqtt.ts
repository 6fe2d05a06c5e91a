/**
 * The MQTT broker connection (src/mqtt/, issue 23): one per gateway, kept across reloads as the
 * topics are; each generation gets its own view (its subscriptions). mqtt.js is imported only
 * when routes.yaml has an `mqtt:` section, so a gateway without MQTT never loads it (issue 24's
 * idle memory). A reload that changes the settings reconnects; one that removes the section stops it
 * and ends the persistent session.
 */
import type { MqttConnection } from "../mqtt/connection.ts";
import type { MqttStatus } from "../mqtt/types.ts";
import type { GenerationMqtt } from "../mqtt/view.ts";
import { pluginStore } from "../store/plugin-store.ts";
import type { GenerationDeps } from "./deps.ts";

/** Its key among what the gateway keeps across generations (a name no feature has). */
const KEPT = "(mqtt)";

export async function generationMqtt(deps: GenerationDeps): Promise<GenerationMqtt | undefined> {
  const kept = deps.kept.get(KEPT) as MqttConnection | undefined;
  const settings = deps.config.mqtt;
  if (!settings) {
    if (kept) {
      deps.kept.delete(KEPT);
      // The section removed: the persistent session ends too, or the broker would queue for its
      // filters for session_expiry_s (review of issue 23, finding 9). A shutdown keeps it.
      await kept.stop({ endSession: true });
    }
    return undefined;
  }
  if (kept) {
    kept.reconfigure(settings);
    return kept.view();
  }
  const { MqttConnection } = await import("../mqtt/connection.ts");
  const log = deps.log.child({ part: "mqtt" });
  const connection = new MqttConnection(settings, {
    log,
    filters: (await pluginStore(deps.store, "(mqtt)", deps.storeFailed)).keyed("filters"),
  });
  deps.metrics.mqtt(() => connection.stats());
  deps.kept.set(KEPT, connection);
  return connection.view();
}

/** /health's `mqtt` entry: undefined when the gateway has no broker connection. */
export function mqttStatus(kept: ReadonlyMap<string, unknown>): MqttStatus | undefined {
  return (kept.get(KEPT) as MqttConnection | undefined)?.status();
}

/**
 * Shutdown: no new message taken, those being handled finished (at most `graceMs`) and
 * acknowledged while the XMPP link is still up, then "offline" on the status topic and a DISCONNECT.
 */
export async function closeMqtt(kept: Map<string, unknown>, graceMs: number): Promise<void> {
  const connection = kept.get(KEPT) as MqttConnection | undefined;
  kept.delete(KEPT);
  await connection?.stop({ graceMs });
}
