/**
 * The gateway's one broker connection (issue 23 §1), kept across reloads: connects with MQTT 5
 * (3.1.1 once a broker refuses 5), keeps a persistent session, reconnects with backoff and
 * jitter, says "online" on the status topic (the last will says "offline"), and hands every
 * message to the subscriptions of the generations (dispatch.ts), acknowledging a QoS 1/2 message
 * only once they are done with it: mqtt.js sends the PUBACK when `handleMessage` calls back
 * (mqtt.js src/lib/handlers/publish.ts), and reads nothing more from the socket meanwhile. So
 * publishing goes over a second connection (publisher.ts), and a held message is no keepalive
 * failure (#connect).
 */
import mqtt, { type IConnackPacket, type IDisconnectPacket, type MqttClient } from "mqtt";
import { GatewayError } from "../plugin-api/errors.ts";
import type { Logger } from "../plugin-api/log.ts";
import type { Keyed } from "../plugin-api/store.ts";
import { createBackoff, type Backoff } from "../kit/backoff.ts";
import { BrokerFilters } from "./broker-filters.ts";
import { disconnectProblem, type Drop, QUICK_CLOSE_MS, quietClose, tlsProblem } from "./diagnosis.ts";
import { Dispatcher } from "./dispatch.ts";
import { sayOfflineAndEnd } from "./goodbye.ts";
import { noMqttStats, type MqttStats } from "./metrics.ts";
import { Publisher } from "./publisher.ts";
import { Receiver } from "./receive.ts";
import { clientOptions, liftPacketSizeCheck, shownUrl, type ProtocolVersion } from "./options.ts";
import type { MqttConfig } from "./schema.ts";
import { connackProblem, unavailable } from "./refusals.ts";
import { topicProblem } from "./topic.ts";
import type { MqttPublishOptions, MqttStatus } from "./types.ts";
import { GenerationMqtt } from "./view.ts";

export interface ConnectionDeps {
  log: Logger;
  /** The filters subscribed at the broker, by client id: what a persistent session keeps across restarts. */
  filters: Keyed<Record<string, number>>;
  random?: () => number;
}

export class MqttConnection {
  #settings: MqttConfig;
  #version: ProtocolVersion = 5;
  #client: MqttClient | undefined;
  #status: MqttStatus;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  /** The broker refused MQTT 5: the next attempt, with 3.1.1, goes at once. */
  #fellBack = false;
  #stopped = false;
  /** When the connection last came online, and whether the broker then gave its session to another client. */
  #onlineAt = 0;
  #takenOver = false;
  /** Closes with no reason, each right after the CONNACK, in a row (diagnosis.ts). */
  #quickCloses = 0;
  readonly #backoff: Backoff;
  readonly #retry: Backoff;
  readonly #dispatcher: Dispatcher;
  readonly #broker: BrokerFilters;
  readonly #publisher: Publisher;
  readonly #stats = noMqttStats();
  readonly #receiver: Receiver;

  constructor(
    settings: MqttConfig,
    private readonly deps: ConnectionDeps,
  ) {
    this.#settings = settings;
    this.#status = { state: "connecting", url: shownUrl(settings.url), clientId: settings.client_id as string, since: Date.now() };
    this.#backoff = createBackoff(settings.reconnect.initial_ms, settings.reconnect.max_ms, deps.random);
    this.#retry = createBackoff(settings.reconnect.initial_ms, settings.reconnect.max_ms, deps.random);
    this.#dispatcher = new Dispatcher({ log: deps.log, retryDelay: () => this.#retry.next(), live: () => !this.#stopped });
    this.#broker = new BrokerFilters(deps.filters, deps.log);
    this.#receiver = new Receiver(this.#dispatcher, deps.log, () => this.#settings.max_payload_bytes);
    this.#publisher = new Publisher(deps.log);
  }

  /** Connects, once the first generation stands: a persistent session's queued messages need its routes. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#connect();
  }

  /** The connection for one generation: its subscriptions, closed when it retires. */
  view(): GenerationMqtt {
    return new GenerationMqtt(this.#dispatcher, this, () => this.#sync(false));
  }

  /** A reload: other settings reconnect at once with them; the same ones change nothing. */
  reconfigure(settings: MqttConfig): void {
    if (JSON.stringify(settings) === JSON.stringify(this.#settings)) return;
    this.#settings = settings;
    this.#version = 5;
    this.#status = { ...this.#status, url: shownUrl(settings.url), clientId: settings.client_id as string };
    if (!this.#started) return;
    this.#drop(this.#client, "the settings changed");
    this.#backoff.reset();
    this.#connect();
  }

  status(): MqttStatus {
    return { ...this.#status, publishing: this.#publisher.status(`${this.#status.clientId}-pub`) };
  }

  stats(): MqttStats {
    const { received, refused } = this.#receiver;
    return { ...this.#stats, received, connected: this.#status.state === "online", refused: { ...refused } };
  }

  async publish(topic: string, payload: string | Uint8Array, options: MqttPublishOptions): Promise<void> {
    const problem = topicProblem(topic);
    if (problem) throw new GatewayError("MQTT_TOPIC_INVALID", undefined, { details: { topic, reason: problem } });
    if (this.#status.state !== "online" || !this.#client)
      throw unavailable(this.#status.lastError ?? `the broker connection is ${this.#status.state}`);
    await this.#publisher.publish(topic, payload, options);
    this.#stats.published++;
  }

  /**
   * Stops taking messages, lets those being handled finish (at most `graceMs`) and acknowledges
   * them, says "offline" (retained), disconnects and stops reconnecting. A message acknowledged
   * after its stanzas left is not delivered again by the broker; one cut off by the grace is (at
   * least once, MQTT 5 §4.3.2). `endSession` (the `mqtt:` section removed): the DISCONNECT sets the
   * session expiry to 0 (MQTT 5 §3.14.2.2.2), so the broker stops queueing for the session's filters.
   */
  async stop({ graceMs = 0, endSession = false }: { graceMs?: number; endSession?: boolean } = {}): Promise<void> {
    await this.#receiver.close(graceMs);
    const end = endSession && this.#version === 5;
    this.#stopped = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    if (client && this.#status.state === "online") {
      const ended = await sayOfflineAndEnd(client, this.#settings.status_topic as string, () => this.#receiver.held, end);
      if (end && ended) this.deps.filters.delete(this.#settings.client_id as string);
    }
    this.#drop(client, "the gateway stopped");
    this.#set("offline");
  }

  #connect(): void {
    this.#set("connecting");
    let client: MqttClient;
    try {
      client = mqtt.connect(clientOptions(this.#settings, this.#version));
    } catch (err) {
      // A ca_file gone bad since the last attempt (ca-file.ts), or TLS settings Node refuses while
      // mqtt.js dials: this attempt fails and the next one comes, the gateway stays up.
      this.#failed(err instanceof Error ? err : new Error(String(err)));
      return this.#retryLater();
    }
    liftPacketSizeCheck(client);
    this.#client = client;
    // Retried and acknowledged only while this connection is the current one: after a drop the broker delivers it again.
    const current = () => !this.#stopped && this.#client === client;
    let held = 0;
    client.handleMessage = (packet, done) => {
      held++;
      void this.#receiver.take(packet, current, () => done()).finally(() => held--);
    };
    // While a message is held mqtt.js reads nothing, the broker's PINGRESPs included: their absence
    // says nothing about the broker then (PINGREQs still go out and keep the session alive, MQTT 5
    // §3.1.2.10). Once the message is done the waiting answers are read and the check resumes.
    const keepaliveTimeout = client.onKeepaliveTimeout.bind(client);
    client.onKeepaliveTimeout = () => (held > 0 ? client.reschedulePing(true) : keepaliveTimeout());
    client.on("connect", (connack) => this.#online(client, connack));
    client.on("disconnect", (packet) => client === this.#client && this.#told(packet));
    // Kept on a forgotten client too: an error event without a listener would throw.
    client.on("error", (err) => client === this.#client && this.#failed(err));
    client.on("close", () => this.#closed(client));
  }

  #online(client: MqttClient, connack: IConnackPacket): void {
    if (client !== this.#client) return;
    this.#backoff.reset();
    this.#retry.reset();
    this.#status = { ...this.#status, lastError: undefined };
    this.#onlineAt = Date.now();
    this.#takenOver = false;
    this.#set("online");
    this.deps.log.info("connected to the MQTT broker", {
      url: this.#status.url,
      session_present: connack.sessionPresent,
      mqtt_version: this.#version === 5 ? "5" : "3.1.1",
    });
    void client.publishAsync(this.#settings.status_topic as string, "online", { qos: 1, retain: true }).catch(() => undefined);
    this.#publisher.open(this.#settings, this.#version);
    // Without a session the broker knows no subscription: all of them again (MQTT 5 §3.2.2.1.2).
    void this.#sync(!connack.sessionPresent);
  }

  #failed(err: Error): void {
    const tls = this.#settings.url.startsWith("mqtts:") && this.#status.state === "connecting" ? tlsProblem(err) : undefined;
    const problem = tls === undefined ? connackProblem(err, this.#version) : { text: tls, fallBack: false };
    if (problem.fallBack) {
      this.#version = 4;
      this.#fellBack = true;
    }
    this.#status = { ...this.#status, lastError: problem.text };
    this.deps.log.warn("the MQTT broker connection failed", { url: this.#status.url, error: problem.text });
  }

  /** The broker's DISCONNECT (MQTT 5 §3.14; 0x8E: another connection took the session). */
  #told(packet: IDisconnectPacket): void {
    this.#dropped(disconnectProblem(packet, this.#settings.client_id as string));
  }

  /** Why the broker dropped an online connection: the last error; a takeover is warned about when the retry is set. */
  #dropped(drop: Drop): void {
    this.#status = { ...this.#status, lastError: drop.text };
    this.#takenOver = drop.takenOver;
    if (!drop.takenOver) this.deps.log.warn("the MQTT broker disconnected the gateway", { url: this.#status.url, error: drop.text });
  }

  #closed(client: MqttClient): void {
    if (client !== this.#client) return;
    // No DISCONNECT and no error on an online connection: the broker closed it (diagnosis.ts).
    const quiet = !this.#stopped && this.#status.state === "online" && this.#status.lastError === undefined;
    this.#quickCloses = quiet && Date.now() - this.#onlineAt < QUICK_CLOSE_MS ? this.#quickCloses + 1 : 0;
    if (quiet) this.#dropped(quietClose(this.#quickCloses, this.#settings.client_id as string));
    this.#drop(client, this.#status.lastError ?? "the broker closed the connection");
    if (this.#stopped) return;
    this.#retryLater();
  }

  #retryLater(): void {
    this.#set("offline");
    this.#stats.reconnects++;
    this.#timer = setTimeout(() => this.#connect(), this.#retryDelay());
  }

  /** A session taken over waits the longest delay, so two gateways sharing a client id do not swap it every second. */
  #retryDelay(): number {
    const delay = this.#takenOver ? this.#settings.reconnect.max_ms : this.#fellBack ? 0 : this.#backoff.next();
    this.#fellBack = false;
    if (this.#takenOver) {
      const { client_id, reconnect } = this.#settings;
      this.deps.log.warn("the MQTT session was taken over by another client", {
        client_id,
        error: this.#status.lastError,
        retry_in_ms: reconnect.max_ms,
      });
    }
    return delay;
  }

  /** Forgets a client: what waits for its acknowledgements is refused now (it may still have reached the broker). */
  #drop(client: MqttClient | undefined, reason: string): void {
    if (client === this.#client) this.#client = undefined;
    client?.removeAllListeners("close");
    client?.end(true);
    this.#publisher.close(reason);
  }

  /** The broker's subscriptions brought in line with the generations' (broker-filters.ts). */
  #sync(fresh: boolean): Promise<void> {
    const client = this.#client;
    if (!client || this.#status.state !== "online") return Promise.resolve();
    return this.#broker.sync(
      client,
      this.#settings.client_id as string,
      this.#dispatcher.filters(),
      fresh,
      this.#version,
      this.#settings.share,
    );
  }

  #set(state: MqttStatus["state"]): void {
    if (this.#status.state !== state) this.#status = { ...this.#status, state, since: Date.now() };
  }
}
