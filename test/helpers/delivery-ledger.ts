// What XMPP clients actually received, counted per message text: the receiving half of the fault
// suite's "0 lost of what was answered 201/202, duplicates reported".
import type { Element } from "ltx";
import type { TestClient } from "../../testbed/xmpp-client.ts";

export interface DeliveryReport {
  accepted: number;
  received: number;
  lost: number[];
  duplicated: number;
}

export class DeliveryLedger {
  /** body text -> how many copies arrived, over every client attached. */
  private readonly copies = new Map<string, number>();
  private readonly listeners: Array<() => void> = [];

  /**
   * Count every message with a body `client` received, including what arrived while it logged
   * in (the server hands over stored offline messages right after initial presence).
   */
  attach(client: TestClient): void {
    const onStanza = (stanza: Element): void => {
      if (stanza.name !== "message" || stanza.attrs.type === "error") return;
      const body = stanza.getChildText("body");
      if (body !== null) this.copies.set(body, (this.copies.get(body) ?? 0) + 1);
      for (const listener of this.listeners.splice(0)) listener();
    };
    for (const stanza of client.received) onStanza(stanza);
    client.xmpp.on("stanza", onStanza);
  }

  has(text: string): boolean {
    return this.copies.has(text);
  }

  /** How many copies of `text` arrived. */
  copiesOf(text: string): number {
    return this.copies.get(text) ?? 0;
  }

  /** Resolves once every text is in, or at the deadline; returns the texts still missing. */
  async waitForAll(texts: string[], timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let missing = texts.filter((t) => !this.copies.has(t));
    while (missing.length > 0 && Date.now() < deadline) {
      await this.nextArrival(Math.min(1_000, deadline - Date.now()));
      missing = missing.filter((t) => !this.copies.has(t));
    }
    return missing;
  }

  /** Accepted texts (by index) against what arrived. */
  report(accepted: Iterable<number>, text: (i: number) => string): DeliveryReport {
    const lost: number[] = [];
    let received = 0;
    let duplicated = 0;
    let count = 0;
    for (const i of accepted) {
      count++;
      const copies = this.copies.get(text(i)) ?? 0;
      if (copies === 0) lost.push(i);
      else received++;
      if (copies > 1) duplicated += copies - 1;
    }
    return { accepted: count, received, lost, duplicated };
  }

  /** One new message, or `ms` (a poll bound, not an assertion). */
  private nextArrival(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      this.listeners.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
