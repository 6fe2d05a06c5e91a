/**
 * Delivery of stanzas that must not be lost: sent at once while the link is up and nothing is
 * waiting, otherwise appended to the sqlite outbox and sent, in order, when the link returns.
 * Once anything is queued, new stanzas queue behind it: order is kept across outages.
 */
import type { Element } from "ltx";
import { GatewayError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Outbox } from "../store/outbox.ts";

/** The part of the link delivery uses. */
export interface DeliveryLink {
  readonly status: string;
  send(el: Element): Promise<void>;
  sendRaw(xml: string): Promise<void>;
}

const BATCH = 500;

export class Delivery {
  private draining: Promise<void> | undefined;

  constructor(
    private readonly link: DeliveryLink,
    private readonly outbox: Outbox,
    private readonly log: Logger,
  ) {}

  get queued(): number {
    return this.outbox.size();
  }

  async deliver(stanza: Element): Promise<"sent" | "queued"> {
    if (this.link.status === "online" && !this.draining && this.outbox.size() === 0) {
      try {
        await this.link.send(stanza);
        return "sent";
      } catch (err) {
        this.log.warn("send failed; queueing", { err: (err as Error).message });
      }
    }
    if (!this.outbox.push(stanza.toString())) throw new GatewayError("OUTBOX_FULL", undefined, { details: { queued: this.outbox.size() } });
    this.drain();
    return "queued";
  }

  /** Starts sending the outbox if the link is up; safe to call any time. */
  drain(): Promise<void> {
    if (this.link.status !== "online" || this.outbox.size() === 0) return this.draining ?? Promise.resolve();
    this.draining ??= this.drainLoop().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    let sent = 0;
    while (this.link.status === "online" && this.outbox.size() > 0) {
      const rows = this.outbox.peek(BATCH);
      let last: number | undefined;
      try {
        for (const row of rows) {
          await this.link.sendRaw(row.stanza);
          last = row.seq;
          sent++;
        }
      } finally {
        // Acknowledge what reached the socket, even when the link broke mid-batch.
        if (last !== undefined) this.outbox.ack(last);
      }
    }
    if (sent) this.log.info("outbox drained", { sent, left: this.outbox.size() });
  }
}
