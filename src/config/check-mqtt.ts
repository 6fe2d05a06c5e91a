/**
 * The `mqtt:` section beyond its schema: a broker URL the client can dial, ca_file only where TLS
 * is and only PEM CA certificates (ca-file.ts), and a status topic one can publish to (MQTT 5 §4.7.1: no wildcards).
 */
import { caFileProblem } from "../mqtt/ca-file.ts";
import { topicProblem } from "../mqtt/topic.ts";
import type { Diagnostic, SourceLocator } from "./diagnostics.ts";
import { isLoopback } from "./check-xmpp.ts";

export interface MqttChecks {
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function checkMqtt(raw: unknown, locate: SourceLocator, out: MqttChecks): void {
  if (raw === null || typeof raw !== "object") return;
  const { url, ca_file, status_topic, password } = raw as Record<string, unknown>;
  if (typeof status_topic === "string") {
    const problem = topicProblem(status_topic);
    if (problem) out.errors.push(locate.at(["mqtt", "status_topic"], problem));
  }
  const caProblem = typeof ca_file === "string" ? caFileProblem(ca_file) : undefined;
  if (typeof caProblem === "string") out.errors.push(locate.at(["mqtt", "ca_file"], `${ca_file}: ${caProblem}`));
  if (typeof url !== "string" || !/^mqtts?:\/\//.test(url)) return; // the schema says so
  const broker = parseBroker(url);
  if (!broker) {
    out.errors.push(
      locate.at(["mqtt", "url"], `expected mqtt://host:port or mqtts://host:port (no user, path or query), found ${JSON.stringify(url)}`),
    );
    return;
  }
  if (!broker.secure && ca_file !== undefined)
    out.errors.push(locate.at(["mqtt", "ca_file"], `mqtt.ca_file applies to mqtts:// only; mqtt.url is ${url}`));
  if (!broker.secure && password !== undefined && !isLoopback(broker.host)) {
    out.warnings.push({
      ...locate.at(["mqtt", "url"], `plain mqtt:// to ${broker.host} sends the password and every message unencrypted: use mqtts://`),
      severity: "warning",
    });
  }
}

/** The broker of an mqtt(s):// URL; credentials belong in username/password, not in the URL (they would be logged). */
function parseBroker(url: string): { secure: boolean; host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    if (!u.hostname || u.username || u.password || u.search || u.hash || (u.pathname !== "" && u.pathname !== "/")) return undefined;
    const secure = u.protocol === "mqtts:";
    return { secure, host: u.hostname, port: u.port ? Number(u.port) : secure ? 8883 : 1883 };
  } catch {
    return undefined;
  }
}
