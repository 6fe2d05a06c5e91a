/**
 * The `mqtt:` section of routes.yaml (issue 23 §1): the one broker connection of a gateway. Left
 * out, nothing of MQTT is loaded (generation/mqtt.ts imports the client only when it is set).
 */
import { Type, type Static } from "@sinclair/typebox";

const ReconnectSchema = Type.Object(
  {
    initial_ms: Type.Integer({
      minimum: 10,
      default: 1_000,
      description: "First delay before connecting again after the broker connection drops or is refused.",
    }),
    max_ms: Type.Integer({ minimum: 10, default: 30_000, description: "Cap of the exponential backoff (with jitter) between attempts." }),
  },
  { additionalProperties: false, description: "Reconnection to the broker: capped exponential backoff with jitter, forever." },
);

export const MqttSchema = Type.Object(
  {
    url: Type.String({
      pattern: "^mqtts?://",
      description:
        "The broker: mqtt://host:port (plain TCP, default port 1883) or mqtts://host:port (TLS, default port 8883; the broker's certificate is verified and its name checked against host).",
    }),
    username: Type.Optional(Type.String({ minLength: 1, description: "The user name the broker checks (mosquitto's password_file)." })),
    password: Type.Optional(Type.String({ minLength: 1, description: "Its password. Use ${VAR} to read it from the environment." })),
    client_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 65_535,
        description:
          'The client identifier (MQTT 5 §3.1.3.1). Default: "stanzagate-" + xmpp.component, the same across restarts, so the persistent session (clean: false) is found again.',
      }),
    ),
    clean: Type.Boolean({
      default: false,
      description:
        "true starts a new session at every connection. false (default) keeps a persistent session: the broker keeps the subscriptions and queues QoS 1 messages while the gateway is down (MQTT 5 §3.1.2.4).",
    }),
    session_expiry_s: Type.Integer({
      minimum: 0,
      default: 604_800,
      description:
        "How long the broker keeps the persistent session (and its queued messages) after the gateway disconnects (MQTT 5 §3.1.2.11.2). Ignored with clean: true and by MQTT 3.1.1 brokers (they keep it until told otherwise).",
    }),
    keepalive_s: Type.Integer({
      minimum: 0,
      maximum: 65_535,
      default: 30,
      description:
        "Seconds between PINGREQs when nothing else is sent (MQTT 5 §3.1.2.10); the connection is dropped after 1.5 times this without an answer. 0 turns it off.",
    }),
    ca_file: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "mqtts:// only: a PEM file of the CA certificates to trust for the broker (a private CA), instead of the system's. Read at every connection attempt; check refuses a file that is not PEM certificates, and one that goes bad later fails the attempts (/health last_error) until it is good again.",
      }),
    ),
    status_topic: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Where the gateway says whether it is up: retained "online" once connected, retained "offline" when it stops, and as its last will (MQTT 5 §3.1.2.5) when it dies or loses the broker. Default: stanzagate/<xmpp.component>/status.',
      }),
    ),
    max_payload_bytes: Type.Integer({
      minimum: 1,
      default: 262_144,
      description:
        'Larger payloads received are refused: logged, counted (stanzagate_mqtt_refused_total{reason="too_large"}) and acknowledged, the connection stays up. The broker is also asked to send no packet over 16 times this plus 64 KB (MQTT 5 Maximum Packet Size): it drops larger messages without telling the gateway, so they are not counted (only the broker logs them).',
    }),
    share: Type.Optional(
      Type.String({
        minLength: 1,
        pattern: "^[^/+#]+$",
        description:
          "Replicas: a shared-subscription group name (MQTT 5 §4.8.2, $share/<share>/<filter>). Every gateway with the same share receives each message of a filter once between them, instead of once each. No /, + or #. Routes with mqtt.retained: true are refused with it (a shared subscription gets no retained messages). Default: none, each gateway receives every message.",
      }),
    ),
    reconnect: Type.Optional(ReconnectSchema),
  },
  {
    additionalProperties: false,
    description: "The MQTT broker connection (issue 23): routes and bots read and publish topics through it. docs/mqtt.md.",
  },
);

export type MqttConfig = Static<typeof MqttSchema> & { reconnect: Static<typeof ReconnectSchema> };

/** The section with its computed defaults filled in (client id, status topic, reconnect). */
export function mqttDefaults(raw: Static<typeof MqttSchema>, component: string): MqttConfig {
  return {
    ...raw,
    client_id: raw.client_id ?? `stanzagate-${component}`,
    status_topic: raw.status_topic ?? `stanzagate/${component}/status`,
    reconnect: raw.reconnect ?? { initial_ms: 1_000, max_ms: 30_000 },
  };
}
