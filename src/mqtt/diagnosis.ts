/**
 * What the broker connection's drops mean for the operator, beyond a refused CONNACK
 * (refusals.ts): a session another client took over, and TLS failures told in words that point at
 * the setting to fix (review of issue 23, findings 14 and 16).
 */
import type { IDisconnectPacket } from "mqtt";

/** MQTT 5 §3.14.2.1: the broker's DISCONNECT when a connection with the same client id took the session (§3.1.4 step 3). */
const SESSION_TAKEN_OVER = 0x8e;

/**
 * MQTT 3.1.1 §3.1.4 has the broker close the older connection with no reason, and mosquitto 2.0
 * does so under MQTT 5 too (no DISCONNECT 0x8E). A broker restart looks the same once, so the
 * sign is a repetition: closes with no error, each this soon after the CONNACK, twice in a row.
 * Two gateways sharing a client id swap within the reconnect delay (about 1 s), far below this.
 */
export const QUICK_CLOSE_MS = 5_000;
const QUICK_CLOSES_TAKEOVER = 2;

export interface Drop {
  text: string;
  /** Another connection holds the session: the next attempt waits the longest backoff (no ping-pong). */
  takenOver: boolean;
}

/** A DISCONNECT the broker sent (MQTT 5 only). */
export function disconnectProblem(packet: IDisconnectPacket, clientId: string): Drop {
  const code = packet.reasonCode ?? 0;
  const hex = `0x${code.toString(16).padStart(2, "0")}`;
  if (code === SESSION_TAKEN_OVER) return takenOver(`DISCONNECT ${hex}: session taken over`, clientId);
  const why = packet.properties?.reasonString;
  return { text: `the broker disconnected the gateway (DISCONNECT ${hex}${why ? `: ${why}` : ""})`, takenOver: false };
}

/** A close with no DISCONNECT and no error; `quickInARow`: how many of them in a row came within QUICK_CLOSE_MS of the CONNACK. */
export function quietClose(quickInARow: number, clientId: string): Drop {
  if (quickInARow >= QUICK_CLOSES_TAKEOVER) return takenOver("it closed the connection right after accepting it, twice", clientId);
  return {
    text: `the broker closed the connection with no reason given (a restart, or another client with the client id ${clientId})`,
    takenOver: false,
  };
}

function takenOver(how: string, clientId: string): Drop {
  return {
    text: `the broker gave the session to another connection with the same client id (${how}): is mqtt.client_id ${clientId} used by two gateways?`,
    takenOver: true,
  };
}

/**
 * A TLS failure before the CONNACK, in words: a reset during the handshake is most often a plain
 * MQTT port dialled with mqtts://; a name mismatch names the host (the runtime's text may end
 * with an empty list of the certificate's names).
 */
export function tlsProblem(err: Error): string | undefined {
  const { code, host } = err as { code?: unknown; host?: unknown };
  if (code === "ECONNRESET" || code === "ECONNABORTED" || /wrong version number|packet length too long/i.test(err.message))
    return `TLS handshake failed: is the port a TLS listener? (${err.message})`;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || /does not match certificate's altnames/.test(err.message)) {
    const dialled = typeof host === "string" ? host : (/(?:IP|Host): ([^ ]+)/.exec(err.message)?.[1] ?? "the URL's host");
    return `the broker's certificate is not for ${dialled} (its subject alternative names do not include it): use a name the certificate carries in mqtt.url`;
  }
  return undefined;
}
