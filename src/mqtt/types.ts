// src/mqtt/types.ts
/** One message the broker delivered (MQTT 5 §3.3), as a route or a bot job reads it. */
export interface MqttMessage {
  topic: string;
  /** The payload's bytes, as published (binary allowed; routes decide how to read them). */
  payload: Uint8Array;
  qos: 0 | 1 | 2;
  /** Set on a retained message the broker sent because of a new subscription. */
  retain: boolean;
  /** MQTT 5 properties the publisher set (userProperties, contentType, responseTopic, ...); {} otherwise. */
  properties: Readonly<Record<string, unknown>>;
}

export interface MqttSubscribeOptions {
  qos: 0 | 1 | 2;
  /** Retained messages sent at subscribe time reach `handle` only when true (issue 23 §2). */
  retained: boolean;
}

export interface MqttPublishOptions {
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** How the broker connection is, for /health, /metrics and errors. */
export interface MqttStatus {
  state: "connecting" | "online" | "offline";
  url: string;
  clientId: string;
  /** Why the last attempt or the connection failed (refused credentials, TLS name, ...). */
  lastError?: string | undefined;
  /** Unix ms of the last change of state. */
  since: number;
  /** The second connection MQTT out publishes on (`<client_id>-pub`, publisher.ts). */
  publishing?: PublishingStatus;
}

export interface PublishingStatus {
  /** offline: not opened (the main connection is not online) or dropped and waiting to retry. */
  state: "connecting" | "online" | "offline";
  clientId: string;
  lastError?: string | undefined;
}

/** The broker connection (src/mqtt/), one per gateway, kept across reloads. */
export interface Mqtt {
  /**
   * Messages whose topic matches `filter` (MQTT wildcards `+`, `#`). `handle` resolves once the
   * message is safe (its stanzas confirmed or in the outbox, or deliberately skipped by config):
   * only then is a QoS 1/2 message acknowledged to the broker, so a crash before that makes the
   * broker deliver it again. A rejected `handle` is logged and counted and the message is still
   * acknowledged (a message that can never be rendered must not loop), EXCEPT when the error is a
   * GatewayError with a transient code (OUTBOX_FULL, STORE_UNAVAILABLE): then it is retried with
   * backoff before the acknowledgement, holding back the messages behind it.
   */
  subscribe(filter: string, options: MqttSubscribeOptions, handle: (m: MqttMessage) => Promise<void>): { close(): void };
  /**
   * Publishes. Resolves when the broker acknowledged it (QoS 1: PUBACK, QoS 2: PUBCOMP) or, for
   * QoS 0, when it was written. Rejects with GatewayError("MQTT_UNAVAILABLE") at once when the
   * connection is not online: nothing is kept in memory for later (a 2xx means it happened).
   */
  publish(topic: string, payload: string | Uint8Array, options: MqttPublishOptions): Promise<void>;
  status(): MqttStatus;
}
