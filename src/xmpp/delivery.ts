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
import { parseJid } from "./jid.ts";
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
/** Pause before draining again after an interrupted drain. */
const RETRY_MS = 1_000;
/** Batches sent but not yet confirmed, at most. */
const PIPELINE = 4;

export class Delivery {
  private draining: Promise<void> | undefined;

  constructor(
    private readonly link: DeliveryLink,
    private readonly outbox: Outbox,
    private readonly barrier: Barrier,
    private readonly log: Logger,
    /** The component's domain: the only `from` domain the server accepts from this link. */
    private readonly component: string,
  ) {}

  get queued(): number {
    return this.outbox.size();
  }

  async deliver(stanza: Element): Promise<"sent" | "queued"> {
    this.checkFrom(stanza);
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

  /**
   * XEP-0114 §3: a component may only send from its own domain; Prosody closes the whole stream
   * (invalid-from) otherwise. Refused here, before the outbox, so one bad stanza can never cut
   * the link again at every reconnect.
   */
  private checkFrom(stanza: Element): void {
    const from = stanza.attrs.from ?? "";
    const domain = parseJid(from)?.domain;
    if (domain !== this.component.toLowerCase()) {
      throw new GatewayError("BAD_REQUEST", `"from" must be the component's domain or an address at it, not "${from}"`, { details: { field: "from", component: this.component } });
    }
  }

  /** Starts sending the outbox if the link is up; safe to call any time. */
  drain(): Promise<void> {
    if (this.link.status !== "online" || this.outbox.size() === 0) return this.draining ?? Promise.resolve();
    this.draining ??= this.drainLoop().finally(() => {
      this.draining = undefined;
      // Cut off while the link stayed up (a confirmation timed out), or rows arrived at the very
      // end: try again shortly rather than wait for the next stanza or reconnect.
      if (this.link.status === "online" && this.outbox.size() > 0) setTimeout(() => void this.drain(), RETRY_MS).unref();
    });
    return this.draining;
  }

  /**
   * Sends batches without waiting for each confirmation (up to PIPELINE unconfirmed), and forgets
   * rows as their confirmations come back, in order. When the link drops, what was not confirmed
   * stays and is sent again by the next drain.
   */
  private async drainLoop(): Promise<void> {
    let sentUpTo = 0;
    let sent = 0;
    const confirmations: Array<Promise<void>> = [];
    try {
      while (this.link.status === "online" && this.outbox.size() > 0) {
        const rows = this.outbox.peekAfter(sentUpTo, BATCH);
        if (rows.length === 0) {
          if (confirmations.length === 0) break;
          await confirmations.shift();
          continue;
        }
        for (const row of rows) {
          await this.link.sendRaw(row.stanza);
          sentUpTo = row.seq;
          sent++;
        }
        const upTo = sentUpTo;
        confirmations.push(this.barrier.after().then(() => this.outbox.ack(upTo)));
        if (confirmations.length >= PIPELINE) await confirmations.shift();
      }
      await Promise.all(confirmations);
    } catch (err) {
      this.log.warn("outbox drain cut off; unconfirmed stanzas will be sent again", { err: (err as Error).message });
      await Promise.allSettled(confirmations);
      return;
    }
    if (sent) this.log.info("outbox drained", { sent, left: this.outbox.size() });
  }
}
