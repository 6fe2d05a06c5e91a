/**
 * The settings of one connection attempt, as mqtt.js takes them: MQTT 5 (or 3.1.1 once a broker
 * refused 5), the persistent session, the last will on the status topic, and TLS that checks the
 * broker's certificate and name. The reconnection is ours (connection.ts: backoff with jitter).
 */
import type { IClientOptions, MqttClient } from "mqtt";
import { readCaFile } from "./ca-file.ts";
import type { MqttConfig } from "./schema.ts";

/** MQTT 5 §3.1.2.2 / 3.1.1 §3.1.2.2: the protocol level in CONNECT. */
export type ProtocolVersion = 4 | 5;

/** What a connection attempt waits for the CONNACK before it gives up and backs off. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The broker is asked to send nothing larger than this many times max_payload_bytes (MQTT 5 §3.1.2.11.4). */
const PACKET_SIZE_FACTOR = 16;

export function clientOptions(settings: MqttConfig, version: ProtocolVersion): IClientOptions {
  const secure = settings.url.startsWith("mqtts:");
  return {
    ...broker(settings.url),
    protocolVersion: version,
    clientId: settings.client_id as string,
    clean: settings.clean,
    keepalive: settings.keepalive_s,
    ...(settings.username === undefined ? {} : { username: settings.username }),
    ...(settings.password === undefined ? {} : { password: settings.password }),
    // Ours: connection.ts reconnects with backoff and subscribes itself (the store knows the filters).
    reconnectPeriod: 0,
    resubscribe: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    queueQoSZero: false,
    // MQTT 5 §3.1.2.5: the broker publishes this when the connection ends without a DISCONNECT.
    will: { topic: settings.status_topic as string, payload: Buffer.from("offline"), qos: 1, retain: true },
    ...(version === 5 ? { properties: sessionProperties(settings) } : {}),
    ...(secure ? tlsOptions(settings) : {}),
  };
}

/**
 * The broker as options, never as a URL string: mqtt.js parses a string with Node's url.parse(),
 * which prints a DeprecationWarning (DEP0169) on stderr, a line that is not JSON in the log.
 * `check` has already refused a URL with credentials, a path or a query (config/check-mqtt.ts).
 */
function broker(url: string): Pick<IClientOptions, "protocol" | "host" | "port"> {
  const u = new URL(url);
  const secure = u.protocol === "mqtts:";
  return {
    protocol: secure ? "mqtts" : "mqtt",
    // WHATWG keeps an IPv6 address in brackets; a socket wants it bare.
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: u.port ? Number(u.port) : secure ? 8883 : 1883,
  };
}

function sessionProperties(settings: MqttConfig): NonNullable<IClientOptions["properties"]> {
  return {
    // §3.1.2.11.2: 0 ends the session with the connection, which a persistent session must not.
    sessionExpiryInterval: settings.clean ? 0 : settings.session_expiry_s,
    maximumPacketSize: Math.min(268_435_455, settings.max_payload_bytes * PACKET_SIZE_FACTOR + 65_536),
  };
}

/**
 * The Maximum Packet Size stays in the CONNECT the client has just built (mqtt.js copies its
 * properties then), but mqtt.js stops checking packets that arrive against it. Its check drops the
 * connection over a packet it has already read, so it saves no memory, and mosquitto lets a packet
 * one byte over through (it leaves the fixed header's first byte out of the size): that message
 * would come back at every reconnect, the connection never up again. Arriving, it is refused as
 * too large like anything over max_payload_bytes (receive.ts): counted, acknowledged.
 */
export function liftPacketSizeCheck(client: MqttClient): void {
  if (client.options.properties) delete client.options.properties.maximumPacketSize;
}

/** The certificate is always verified; ca_file is read (and checked) at each attempt, so a renewed file needs no restart. */
function tlsOptions(settings: MqttConfig): Partial<IClientOptions> {
  return {
    rejectUnauthorized: true,
    ...(settings.ca_file === undefined ? {} : { ca: readCaFile(settings.ca_file) }),
  };
}

/** The URL without what must not be logged (the schema already refuses credentials in it). */
export function shownUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//");
}
