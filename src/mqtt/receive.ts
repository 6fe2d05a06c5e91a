/**
 * A message the broker delivered, on its way to the routes: counted, refused when larger than
 * mqtt.max_payload_bytes (logged, counted, acknowledged: the connection stays up, issue 23 §5),
 * else dispatched (dispatch.ts). Says whether to acknowledge it.
 */
import type { IPublishPacket } from "mqtt";
import type { Logger } from "../plugin-api/log.ts";
import type { Dispatcher } from "./dispatch.ts";
import type { RefusalReason } from "./metrics.ts";
import type { MqttMessage } from "./types.ts";

export class Receiver {
  received = 0;
  readonly refused: Record<RefusalReason, number> = { too_large: 0, unrouted: 0, failed: 0 };

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly log: Logger,
    private readonly maxPayloadBytes: () => number,
  ) {}

  /** `current`: whether its connection is still the one in use (else the broker delivers it again: no ack, no retry). */
  async take(packet: IPublishPacket, current: () => boolean): Promise<boolean> {
    this.received++;
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
