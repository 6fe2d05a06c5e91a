/**
 * `mqtt.share` against the rest of routes.yaml (docs/mqtt.md "Replicas"). A shared subscription
 * (MQTT 5 §4.8.2) is sent no retained message when it is made ("Retained messages are not sent to
 * the Session when it establishes a new Shared Subscription"), so a route asking for them with a
 * share would silently never get one: refused. Replicas on one PostgreSQL store without a share each
 * receive every message and send it once each: warned, at the `mqtt:` key.
 */
import { isPostgresUrl } from "../kit/store-url.ts";
import type { Diagnostic, SourceLocator } from "./diagnostics.ts";

export interface ShareChecks {
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function checkMqttShare(fields: Record<string, unknown>, locate: SourceLocator, out: ShareChecks): void {
  const mqtt = record(fields.mqtt);
  if (!mqtt) return;
  const routes = Array.isArray(fields.routes) ? fields.routes : [];
  if (typeof mqtt.share === "string") {
    for (const [i, route] of routes.entries()) {
      if (record(record(route)?.mqtt)?.retained !== true) continue;
      const message = `retained: true cannot work with mqtt.share ${JSON.stringify(mqtt.share)}: the broker sends no retained message to a shared subscription (MQTT 5 §4.8.2); drop retained: or share:`;
      out.errors.push(locate.at(["routes", i, "mqtt", "retained"], message));
    }
    return;
  }
  if (typeof fields.store !== "string" || !isPostgresUrl(fields.store) || !subscribes(fields, routes)) return;
  out.warnings.push({
    ...locate.at(
      ["mqtt"],
      "store: is PostgreSQL (replicas) but mqtt.share is not set: every replica receives every MQTT message and sends it once each; set mqtt.share: <group> on all of them to have each message handled by one",
      { key: true },
    ),
    severity: "warning",
  });
}

/** Whether a route or a bot job takes messages from a topic (what a share would split). */
function subscribes(fields: Record<string, unknown>, routes: unknown[]): boolean {
  if (routes.some((r) => record(r)?.mqtt !== undefined)) return true;
  const bots = Array.isArray(fields.bots) ? fields.bots : [];
  return bots.some((b) => {
    const jobs = record(b)?.jobs;
    return Array.isArray(jobs) && jobs.some((j) => record(j)?.mqtt !== undefined);
  });
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
