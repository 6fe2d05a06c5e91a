/**
 * A message the broker delivered, on its way to the routes: counted, refused when larger than
 * mqtt.max_payload_bytes (logged, counted, acknowledged: the connection stays up, issue 23 §5),
 * else dispatched (dispatch.ts), then acknowledged when it should be.
 *
 * It also knows what a stop needs: how many messages are being handled, and how many are held
 * unacknowledged. mqtt.js reads nothing more from the socket until a message is acknowledged
 * (src/lib/handlers/publish.ts), so while one is held no acknowledgement of ours can be read.
 */
import type { IPublishPacket } from "mqtt";
import type { Logger } from "../plugin-api/log.ts";
import type { Dispatcher } from "./dispatch.ts";
import type { RefusalReason } from "./metrics.ts";
import type { MqttMessage } from "./types.ts";

export class Receiver {
  received = 0;
  readonly refused: Record<RefusalReason, number> = { too_large: 0, unrouted: 0, failed: 0 };
  /** Messages handed to the routes and not yet acknowledged or given up. */
  #working = 0;
  /** Messages left unacknowledged because a stop is under way: the broker delivers them again. */
  #left = 0;
  #closing = false;
  #idle: Array<() => void> = [];

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly log: Logger,
    private readonly maxPayloadBytes: () => number,
  ) {}

  /** Messages taken and not acknowledged: what blocks mqtt.js's reading. */
  get held(): number {
    return this.#working + this.#left;
  }

  /**
   * `current`: whether its connection is still the one in use (else the broker delivers it again:
   * no ack, no retry). `ack` sends the PUBACK; it is called before the message stops counting as
   * worked on, so a stop that waited for `settled` writes nothing before it.
   */
  async take(packet: IPublishPacket, current: () => boolean, ack: () => void): Promise<void> {
    if (this.#closing) {
      // A stop is under way: not taken, not acknowledged; the persistent session keeps it (MQTT 5 §4.4).
      this.#left++;
      return;
    }
    this.received++;
    this.#working++;
    try {
      if (await this.#handle(packet, current)) ack();
    } finally {
      this.#working--;
      if (this.#working === 0) for (const wake of this.#idle.splice(0)) wake();
    }
  }

  /** From now on no message is taken (a stop); resolves once those being handled are done, or after `ms`. */
  close(ms: number): Promise<void> {
    this.#closing = true;
    if (this.#working === 0 || ms <= 0) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<void>((resolve) => {
      this.#idle.push(resolve);
      timer = setTimeout(resolve, ms);
    }).finally(() => clearTimeout(timer));
  }

  /** True: acknowledge it. */
  async #handle(packet: IPublishPacket, current: () => boolean): Promise<boolean> {
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    const max = this.maxPayloadBytes();
    if (payload.byteLength > max) {
      this.#refuse("too_large", packet.topic, { bytes: payload.byteLength, max_payload_bytes: max });
      return true;
    }
    const message: MqttMessage = {
      topic: packet.topic,
      payload,
      qos: packet.qos,
      retain: packet.retain,
      properties: packet.properties ?? {},
    };
    const outcome = await this.dispatcher.dispatch(message, current);
    if (outcome !== "handled") this.#refuse(outcome, packet.topic, {});
    return current();
  }

  #refuse(reason: RefusalReason, topic: string, fields: Record<string, unknown>): void {
    this.refused[reason]++;
    const level = reason === "unrouted" ? "debug" : "warn";
    this.log[level]("an MQTT message was not handed to a route", { reason, topic, ...fields });
  }
}
