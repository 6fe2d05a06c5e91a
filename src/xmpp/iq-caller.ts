/**
 * Outgoing iqs of XmppPort.request and their answers: a result resolves, an error answer rejects
 * with XmppStanzaError so callers can map its condition (errors.ts fromXmppFailure).
 */
import type { Element } from "ltx";
import { IqTimeoutError, XmppStanzaError } from "../plugin-api/errors.ts";
import { PendingIqs } from "../kit/pending-iqs.ts";

export class IqCaller {
  private readonly pending = new PendingIqs("sg");

  constructor(
    private readonly send: (el: Element) => Promise<void>,
    private readonly defaultTimeoutMs: number,
  ) {}

  request(iq: Element, timeoutMs = this.defaultTimeoutMs): Promise<Element> {
    return this.pending.wait<Element>(iq, this.send, {
      timeoutMs,
      timedOut: () => new IqTimeoutError(iq.attrs.to),
      answer: (el) => (el.attrs.type === "result" ? { value: el } : { error: XmppStanzaError.from(el) }),
    });
  }

  /** Takes `el` if it answers a pending request; returns whether it did. */
  settle(el: Element): boolean {
    return this.pending.take(el);
  }

  cancelAll(reason: string): void {
    this.pending.cancelAll(new Error(reason));
  }
}
