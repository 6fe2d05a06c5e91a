/**
 * Outgoing iqs and their answers (RFC 6120 §8.2.3: every get/set gets exactly one result or
 * error with the same id). Answers are matched by id and sender; an error answer rejects with
 * XmppStanzaError so callers can map its condition.
 */
import type { Element } from "ltx";
import { IqTimeoutError, XmppStanzaError } from "../errors.ts";

interface Pending {
  to: string | undefined;
  resolve(el: Element): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class IqCaller {
  private readonly pending = new Map<string, Pending>();
  private counter = 0;
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  constructor(
    private readonly send: (el: Element) => Promise<void>,
    private readonly defaultTimeoutMs: number,
  ) {}

  request(iq: Element, timeoutMs = this.defaultTimeoutMs): Promise<Element> {
    const id = iq.attrs.id ?? `sg-${this.prefix}-${++this.counter}`;
    iq.attrs.id = id;
    return new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new IqTimeoutError(iq.attrs.to));
      }, timeoutMs);
      this.pending.set(id, { to: iq.attrs.to, resolve, reject, timer });
      this.send(iq).catch((err: Error) => this.fail(id, err));
    });
  }

  /** Takes `el` if it answers a pending request; returns whether it did. */
  settle(el: Element): boolean {
    if (el.name !== "iq" || (el.attrs.type !== "result" && el.attrs.type !== "error")) return false;
    const id = el.attrs.id ?? "";
    const p = this.pending.get(id);
    // An answer must come from whom we asked, or anyone could settle our requests.
    if (!p || (p.to && el.attrs.from && el.attrs.from.toLowerCase() !== p.to.toLowerCase())) return false;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (el.attrs.type === "result") p.resolve(el);
    else p.reject(XmppStanzaError.from(el));
    return true;
  }

  cancelAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.fail(id, new Error(reason));
  }

  private fail(id: string, err: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(err);
  }
}
