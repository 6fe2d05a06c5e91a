/** How the broker connection's failures are told: to HTTP callers (the catalogue's codes) and in /health's last_error. */
import { GatewayError } from "../plugin-api/errors.ts";
import type { ProtocolVersion } from "./options.ts";

/** Seconds a caller refused for a broker that is down is told to wait (RFC 9110 §10.2.3). */
const RETRY_AFTER_S = 5;

export function unavailable(reason: string): GatewayError {
  return new GatewayError("MQTT_UNAVAILABLE", undefined, { details: { reason }, headers: { "Retry-After": String(RETRY_AFTER_S) } });
}

/** CONNACK codes that refuse who we are: MQTT 5 §3.2.2.2 (0x86, 0x87) and 3.1.1 §3.2.2.3 (4, 5). */
const CREDENTIALS = new Map<number, string>([
  [0x86, "bad user name or password"],
  [0x87, "not authorized"],
]);
const CREDENTIALS_V3 = new Map<number, string>([
  [4, "bad user name or password"],
  [5, "not authorized"],
]);

/**
 * What an error of mqtt.js means for the operator, and whether to try MQTT 3.1.1: a broker that
 * does not speak 5 answers 0x84 (MQTT 5 §3.2.2.2), or 1 in 3.1.1's format (§3.2.2.3).
 */
export function connackProblem(err: Error, version: ProtocolVersion): { text: string; fallBack: boolean } {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "number") return { text: err.message, fallBack: false };
  const hex = `0x${code.toString(16).padStart(2, "0")}`;
  if (version === 5 && (code === 0x84 || code === 1)) {
    return { text: `the broker does not speak MQTT 5 (CONNACK ${hex}): trying MQTT 3.1.1`, fallBack: true };
  }
  const refused = (version === 5 ? CREDENTIALS : CREDENTIALS_V3).get(code);
  if (refused)
    return {
      text: `the broker refused the credentials (CONNACK ${hex}: ${refused}): check mqtt.username and mqtt.password`,
      fallBack: false,
    };
  return { text: `${err.message} (code ${hex})`, fallBack: false };
}
