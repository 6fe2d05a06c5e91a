/**
 * The connection MQTT out publishes on (issue 23 §3; review findings 15 and 18): a second client,
 * `<client_id>-pub`, with a clean session and no last will, opened while the main connection is
 * online. mqtt.js reads nothing from a connection while a message it delivered is held (its
 * PUBACK waits for the outbox, connection.ts), not even the broker's PUBACKs and PINGRESPs: on
 * the main connection a publish would wait for XMPP. On its own one it waits for the broker only.
 * A publish not acknowledged when this connection drops is refused (503); it is not sent again.
 */
import mqtt, { type MqttClient } from "mqtt";
import type { GatewayError } from "../plugin-api/errors.ts";
import type { Logger } from "../plugin-api/log.ts";
import { createBackoff, type Backoff } from "../kit/backoff.ts";
import { clientOptions, type ProtocolVersion } from "./options.ts";
import { connackProblem, unavailable } from "./refusals.ts";
import type { MqttConfig } from "./schema.ts";
import type { MqttPublishOptions, PublishingStatus } from "./types.ts";

export class Publisher {
  #client: MqttClient | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastError: string | undefined;
  #backoff: Backoff | undefined;
  /** Whoever waits for the connection, or for an acknowledgement on it: refused when it drops. */
  readonly #waiting = new Set<(err: GatewayError) => void>();

  constructor(private readonly log: Logger) {}

  /** Connects with the settings (and MQTT version) the main connection came online with. */
  open(settings: MqttConfig, version: ProtocolVersion): void {
    this.close("the main connection reconnected");
    this.#backoff = createBackoff(settings.reconnect.initial_ms, settings.reconnect.max_ms);
    this.#connect(settings, version);
  }

  /** Ends the connection; whoever waits on it is refused with `reason`. */
  close(reason: string): void {
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    client?.removeAllListeners("close");
    client?.end(true);
    this.#refuseAll(reason);
  }

  /** For /health: a publish fails with 503 while this is not online, even with the main connection up. */
  status(clientId: string): PublishingStatus {
    const client = this.#client;
    const state = client === undefined ? "offline" : client.connected ? "online" : "connecting";
    return { state, clientId, ...(this.#lastError ? { lastError: this.#lastError } : {}) };
  }

  async publish(topic: string, payload: string | Uint8Array, options: MqttPublishOptions): Promise<void> {
    const client = await this.#ready();
    await this.#waitOn((resolve, reject) =>
      client.publishAsync(topic, Buffer.from(payload), options).then(resolve, (err: unknown) => {
        reject(unavailable(`the broker did not take the message: ${err instanceof Error ? err.message : String(err)}`));
      }),
    );
  }

  /** The connected client; one still connecting is waited for (a publish right after start). */
  #ready(): Promise<MqttClient> {
    const client = this.#client;
    if (!client) return Promise.reject(unavailable(this.#lastError ?? "the publishing connection is closed"));
    if (client.connected) return Promise.resolve(client);
    return this.#waitOn((resolve) => client.once("connect", () => resolve(client)));
  }

  #waitOn<T>(start: (resolve: (value: T) => void, reject: (err: GatewayError) => void) => void): Promise<T> {
    let refuse: (err: GatewayError) => void = () => {};
    return new Promise<T>((resolve, reject) => {
      refuse = reject;
      this.#waiting.add(reject);
      start(resolve, reject);
    }).finally(() => this.#waiting.delete(refuse));
  }

  #connect(settings: MqttConfig, version: ProtocolVersion): void {
    const { will: _will, properties: _properties, ...options } = clientOptions(settings, version);
    const client = mqtt.connect(settings.url, {
      ...options,
      clientId: `${settings.client_id}-pub`,
      clean: true,
      // MQTT 5 §3.1.2.11.2: the session ends with the connection; nothing is kept for later.
      ...(version === 5 ? { properties: { sessionExpiryInterval: 0 } } : {}),
    });
    this.#client = client;
    client.on("connect", () => {
      this.#lastError = undefined;
      this.#backoff?.reset();
    });
    client.on("error", (err) => {
      if (client !== this.#client) return;
      this.#lastError = `the publishing connection (${settings.client_id}-pub): ${connackProblem(err, version).text}`;
      this.log.warn("the MQTT publishing connection failed", { client_id: `${settings.client_id}-pub`, error: this.#lastError });
    });
    client.on("close", () => {
      if (client !== this.#client) return;
      this.close(this.#lastError ?? "the publishing connection closed");
      this.#timer = setTimeout(() => this.#connect(settings, version), this.#backoff?.next() ?? 1_000);
    });
  }

  #refuseAll(reason: string): void {
    for (const reject of this.#waiting) reject(unavailable(`the connection dropped before the broker acknowledged: ${reason}`));
    this.#waiting.clear();
  }
}
