/**
 * Delivery of stanzas that must not be lost: sent at once while the link is up and nothing is
 * waiting, otherwise appended to the sqlite outbox and sent, in order, when the link returns.
 * Once anything is queued, new stanzas queue behind it: order is kept across outages.
 *
 * "Sent" means the server has handled the stanza (see barrier.ts), not only that it left this
 * process: a stanza whose confirmation the link drop cut off goes to the outbox and is sent again.
 * Delivery is at least once: a stanza can repeat after an outage, never vanish. A stanza whose
 * confirmation timed out on a stream that is still open (a stalled server) is not written on it
 * again: the server handles it in order when it wakes (RFC 6120 §10.1), and a later ping's answer
 * confirms it. Only a new stream makes it a suspect to send again.
 *
 * A stanza the server answers by closing the stream must not block the queue forever. After a
 * drain is cut off, the rows that were unconfirmed ("suspects") are sent one at a time, each
 * confirmed before the next; the one the stream closes on is counted, retried with backoff, and
 * after MAX_ATTEMPTS moved to the dead letters (store/dead-letter.ts). No other row is dropped.
 */
import type { Element } from "ltx";
import { GatewayError } from "../plugin-api/errors.ts";
import { parseJid } from "../kit/jid.ts";
import type { Logger } from "../log.ts";
import type { Outbox, QueuedStanza } from "../store/outbox.ts";
import { storeUnavailable } from "../store/unavailable.ts";
import type { Barrier } from "./barrier.ts";
import { guardStanza } from "./stanza-guard.ts";

/** The part of the link delivery uses. */
export interface DeliveryLink {
  readonly status: string;
  /** Online, and the XEP-0356 grants of this connection known (privileged rows must wait for them). */
  readonly settled: boolean;
  /** Why the link last failed (a stream error's condition), cleared when it comes back. */
  readonly lastError?: string | undefined;
  /** The current stream: a new object at each connection (XmppLink's); without it every retry writes again. */
  readonly onlineSince?: Date | undefined;
  sendRaw(xml: string): Promise<void>;
}

export interface DeliveryOptions {
  /** The component's domain: the only `from` domain the server accepts from this link. */
  component: string;
  maxStanzaBytes: number;
  /**
   * Asked about each queued stanza just before the drain sends it (rooms/route-rooms.ts: a
   * groupchat needs its room entered first). Undefined sends it; a string is why it goes to the
   * dead letters instead (what was answered 202 is delivered or kept with its reason, never
   * dropped); a rejection stops the drain and the row stays, counted as an attempt while the link
   * is up (MAX_ATTEMPTS of them make it a dead letter).
   */
  beforeSend?(stanza: string): Promise<string | undefined> | undefined;
}

/**
 * Rows a drain reads (and, on PostgreSQL, claims) at a time. BATCH x PIPELINE (400) bounds what it
 * has sent and not yet confirmed: what is sent again if this process dies while draining (review
 * of issue 26, finding 8: 500 x 4 sent 789 and 1,260 twice). Measured on PostgreSQL with a 2 ms
 * ping, 5,000 rows drained at 31,000-37,000 stanzas/s (43,000-75,000 with 500): far above what
 * an XMPP server takes (~1,400/s from one component on Prosody).
 */
const BATCH = 100;
/** Pause before draining again after an interrupted drain. */
const RETRY_MS = 1_000;
/** Batches sent but not yet confirmed, at most. */
const PIPELINE = 4;
/** A stanza the server closed the stream on this many times becomes a dead letter. */
export const MAX_ATTEMPTS = 5;
/** The wait before a suspect is sent again doubles from this, up to PROBE_MAX_WAIT_MS. */
const PROBE_WAIT_MS = 250;
const PROBE_MAX_WAIT_MS = 10_000;
/** Stream error conditions that close the stream for the server's own reasons (RFC 6120 §4.9.3). */
const SERVER_GONE = ["system-shutdown", "see-other-host", "reset", "connection-timeout"];

export class Delivery {
  private draining: Promise<void> | undefined;
  /** Rows up to this seq were unconfirmed when the stream closed: sent one at a time next. */
  private suspectsUpTo = 0;
  /** Stanzas a `reserve` set room aside for: queued, each takes its place (never OUTBOX_FULL). */
  private readonly reserved = new WeakSet<Element>();
  /** Outbox rows written on `stream` and not yet confirmed: a retry on the same stream only confirms them. */
  private written: { stream: Date | undefined; seqs: Set<number> } = { stream: undefined, seqs: new Set() };

  constructor(
    private readonly link: DeliveryLink,
    private readonly outbox: Outbox,
    private readonly barrier: Barrier,
    private readonly log: Logger,
    private readonly options: DeliveryOptions,
  ) {}

  get queued(): number {
    return this.outbox.size();
  }

  get dead(): number {
    return this.outbox.dead();
  }

  /**
   * Sets room in the outbox aside for every one of `stanzas` before the first is delivered (by
   * `deliver`, here or through a room), or throws OUTBOX_FULL / STORE_UNAVAILABLE: a notification
   * to several recipients is queued whole or refused whole, never half (a sender retrying a 503
   * would repeat it to those who got it). Returns what gives back the room not taken.
   */
  reserve(stanzas: readonly Element[]): () => void {
    const fault = this.outbox.health.fault();
    if (fault) throw storeUnavailable(fault);
    if (!this.outbox.reserve(stanzas.length)) throw new GatewayError("OUTBOX_FULL", undefined, { details: { queued: this.outbox.size() } });
    for (const stanza of stanzas) this.reserved.add(stanza);
    return () => {
      for (const stanza of stanzas) if (this.reserved.delete(stanza)) this.outbox.release(1);
    };
  }

  async deliver(stanza: Element): Promise<"sent" | "queued"> {
    this.checkFrom(stanza);
    const xml = guardStanza(stanza, this.options.maxStanzaBytes);
    const fault = this.outbox.health.fault();
    if (fault) throw storeUnavailable(fault);
    let cutOff = false;
    /** Written on this stream, which is still open: the confirmation timed out (a stalled server). */
    let onStream = false;
    const stream = this.link.onlineSince;
    // Our own count: rows another process commits (the CLI's retry) are sent by the next drain
    // (STORE_CHECK_MS at most), and looking for them at every stanza cost a query each.
    if (this.link.status === "online" && !this.draining && this.outbox.counted() === 0) {
      try {
        // Asked for before the write leaves, so the confirmation ping shares the stanza's socket
        // write (barrier.ts); the stanza is queued first, so the ping still follows it.
        const written = this.link.sendRaw(xml);
        await Promise.all([written, this.barrier.after()]);
        return "sent";
      } catch (err) {
        cutOff = this.link.status !== "online";
        onStream = !cutOff && stream === this.link.onlineSince;
        this.log.warn("send not confirmed; queueing", { err: (err as Error).message });
      }
    }
    const seq = await this.outbox.push(xml, this.reserved.delete(stanza));
    if (seq === undefined) throw new GatewayError("OUTBOX_FULL", undefined, { details: { queued: this.outbox.size() } });
    // It may be what the server closed the stream on: probed like an outbox row that was cut off.
    if (cutOff) this.suspectsUpTo = Math.max(this.suspectsUpTo, seq);
    else if (onStream && stream !== undefined) this.onStream().add(seq);
    void this.drain();
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
    if (domain !== this.options.component.toLowerCase()) {
      throw new GatewayError("BAD_REQUEST", `"from" must be the component's domain or an address at it, not "${from}"`, {
        details: { field: "from", component: this.options.component },
      });
    }
  }

  /** Starts sending the outbox if the link is up and the store writable; safe to call any time. */
  drain(): Promise<void> {
    if (!this.canDrain()) return this.draining ?? Promise.resolve();
    // Replicas on one store: the rows this drain claimed stay its own while it runs, however slow.
    this.draining ??= this.outbox
      .holding(() => this.drainLoop())
      .finally(() => {
        this.draining = undefined;
        // Cut off while the link stayed up (a confirmation timed out), or rows arrived at the very
        // end: try again shortly rather than wait for the next stanza or reconnect.
        if (this.canDrain()) setTimeout(() => void this.drain(), RETRY_MS).unref();
      });
    return this.draining;
  }

  private canDrain(): boolean {
    // A store that cannot forget what was sent would make every drain resend it all: wait instead.
    return this.link.settled && this.outbox.health.writable() && this.outbox.size() > 0;
  }

  private async drainLoop(): Promise<void> {
    let sent = 0;
    try {
      sent = await this.probe();
      sent += await this.pipeline();
    } catch (err) {
      const fault = this.outbox.health.writable() ? undefined : this.outbox.health.fault();
      if (fault) this.log.error("outbox drain stopped: the store cannot be written", { reason: fault });
      else this.log.warn("outbox drain cut off; unconfirmed stanzas will be sent again", { err: (err as Error).message });
      return;
    }
    if (sent) this.log.info("outbox drained", { sent, left: this.outbox.size() });
  }

  /** Sends the suspects one at a time, each confirmed before the next. */
  private async probe(): Promise<number> {
    let sent = 0;
    for (let row = await this.head(); row && row.seq <= this.suspectsUpTo; row = await this.head()) {
      if (row.attempts > 0) await Bun.sleep(Math.min(PROBE_MAX_WAIT_MS, PROBE_WAIT_MS * 2 ** (row.attempts - 1)));
      if (!(await this.write(row))) continue;
      try {
        await this.barrier.after();
      } catch (err) {
        // The stream closed with only this stanza unconfirmed: the server refused it (or went away).
        if (this.link.status !== "online") await this.refused(row);
        throw err;
      }
      await this.confirmed(row.seq);
      sent++;
    }
    this.suspectsUpTo = 0;
    return sent;
  }

  /**
   * Writes a row, unless it is already on this stream unconfirmed (written before a confirmation
   * timed out): the next confirmation covers it. False when the row became a dead letter instead.
   */
  private async write(row: QueuedStanza): Promise<boolean> {
    const written = this.onStream();
    if (written.has(row.seq)) return true;
    if (!(await this.cleared(row))) return false;
    await this.link.sendRaw(row.stanza);
    if (this.link.onlineSince !== undefined) written.add(row.seq);
    return true;
  }

  /** The rows written on the current stream and not yet confirmed; none after a reconnect. */
  private onStream(): Set<number> {
    const stream = this.link.onlineSince;
    if (stream !== this.written.stream) this.written = { stream, seqs: new Set() };
    return this.written.seqs;
  }

  /** The server handled every row up to `seq`: forgotten by the outbox and by `written`. */
  private async confirmed(seq: number): Promise<void> {
    await this.outbox.ack(seq);
    for (const written of this.written.seqs) if (written <= seq) this.written.seqs.delete(written);
  }

  /** Whether `row` may go out now (DeliveryOptions.beforeSend); if not, it is a dead letter. */
  private async cleared(row: QueuedStanza): Promise<boolean> {
    let refused: string | undefined;
    try {
      refused = await this.options.beforeSend?.(row.stanza);
    } catch (err) {
      // The link dropped: the row waits for the next drain. A check that fails with the link up
      // (a room that does not answer) is an attempt, so it cannot hold the queue forever.
      if (this.link.status === "online") await this.failedCheck(row, (err as Error).message);
      throw err;
    }
    if (refused === undefined) return true;
    await this.outbox.bury(row.seq, refused);
    this.log.error("outbox stanza moved to the dead letters: it cannot be delivered", {
      seq: row.seq,
      id: idOf(row.stanza),
      reason: refused,
    });
    return false;
  }

  private failedCheck(row: QueuedStanza, reason: string): Promise<void> {
    return this.countFailure(row, reason, {
      retry: "an outbox stanza could not be sent yet; it will be tried again",
      buried: "outbox stanza moved to the dead letters: it could not be sent, attempt after attempt",
    });
  }

  /** One more failed attempt for a row; the MAX_ATTEMPTS-th moves it to the dead letters. */
  private async countFailure(row: QueuedStanza, reason: string, say: { retry: string; buried: string }): Promise<void> {
    const attempts = await this.outbox.fail(row.seq, reason);
    const fields = { seq: row.seq, id: idOf(row.stanza), attempts, reason };
    if (attempts < MAX_ATTEMPTS) return this.log.warn(say.retry, fields);
    await this.outbox.bury(row.seq, reason);
    this.log.error(say.buried, fields);
  }

  private async head(): Promise<QueuedStanza | undefined> {
    return this.link.status === "online" ? (await this.outbox.peekAfter(0, 1))[0] : undefined;
  }

  private async refused(row: QueuedStanza): Promise<void> {
    const reason = this.link.lastError ?? "the server closed the stream inside the confirmation window";
    // RFC 6120 §4.9.3: these conditions say the server is going away or moving, not that it
    // refused this stanza; a restart must not count against the row being probed.
    if (SERVER_GONE.some((condition) => reason === `stream error: ${condition}`)) return;
    await this.countFailure(row, reason, {
      retry: "the server closed the stream right after an outbox stanza; it will be sent again",
      buried: "outbox stanza moved to the dead letters: the server closed the stream on it every time",
    });
  }

  /**
   * Sends batches without waiting for each confirmation (up to PIPELINE unconfirmed), and forgets
   * rows as their confirmations come back, in order. When the link drops, what was not confirmed
   * stays, becomes a suspect, and is sent again by the next drain.
   */
  private async pipeline(): Promise<number> {
    let sentUpTo = 0;
    let sent = 0;
    const confirmations: Array<Promise<void>> = [];
    try {
      while (this.link.status === "online" && this.outbox.health.writable() && this.outbox.size() > 0) {
        const rows = await this.outbox.peekAfter(sentUpTo, BATCH);
        if (rows.length === 0) {
          if (confirmations.length === 0) break;
          await confirmations.shift();
          continue;
        }
        for (const row of rows) {
          if (!(await this.write(row))) continue;
          sentUpTo = row.seq;
          sent++;
        }
        const upTo = sentUpTo;
        confirmations.push(this.barrier.after().then(() => this.confirmed(upTo)));
        if (confirmations.length >= PIPELINE) await confirmations.shift();
      }
      await Promise.all(confirmations);
    } catch (err) {
      await Promise.allSettled(confirmations);
      if (this.link.status !== "online") this.suspectsUpTo = Math.max(this.suspectsUpTo, sentUpTo);
      throw err;
    }
    return sent;
  }
}

function idOf(stanza: string): string | undefined {
  return stanza.match(/^<[^>]*?\sid="([^"]*)"/)?.[1];
}
