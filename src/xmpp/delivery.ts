/**
 * Delivery of stanzas that must not be lost: sent at once while the link is up and nothing is
 * waiting, otherwise appended to the sqlite outbox and sent, in order, when the link returns.
 * Once anything is queued, new stanzas queue behind it: order is kept across outages.
 *
 * "Sent" means the server has handled the stanza (see barrier.ts), not only that it left this
 * process: a stanza whose confirmation the link drop cut off goes to the outbox and is sent again.
 * Delivery is at least once: a stanza can repeat after an outage, never vanish.
 */
import type { Element } from "ltx";
import { GatewayError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Outbox } from "../store/outbox.ts";
import type { Barrier } from "./barrier.ts";

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
    private readonly barrier: Barrier,
    private readonly log: Logger,
  ) {}

  get queued(): number {
    return this.outbox.size();
  }

  async deliver(stanza: Element): Promise<"sent" | "queued"> {
    if (this.link.status === "online" && !this.draining && this.outbox.size() === 0) {
      try {
        await this.link.send(stanza);
        await this.barrier.after();
        return "sent";
      } catch (err) {
        this.log.warn("send not confirmed; queueing", { err: (err as Error).message });
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
        // Rows are forgotten only once the server confirmed them; a drop before that sends them again.
        await this.barrier.after();
        if (last !== undefined) this.outbox.ack(last);
      } catch (err) {
        this.log.warn("outbox batch not confirmed; it will be sent again", { err: (err as Error).message });
        return;
      }
    }
    if (sent) this.log.info("outbox drained", { sent, left: this.outbox.size() });
  }
}
