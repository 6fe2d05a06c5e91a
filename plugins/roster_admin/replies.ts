/**
 * Counts the answers to a roster set that carries several items: mod_privilege answers each item
 * separately with the same id (one result, or one error, per item). The set succeeded when every
 * item got a result; it failed at the first error, or when the answers stop coming.
 *
 * The answers reach the component as ordinary stanzas, so the plugin's stanza handler feeds
 * them to `take`.
 */
import type { Element } from "../../src/plugin-api.ts";
import { XmppStanzaError } from "../../src/plugin-api.ts";
import { SyncError } from "./sync-error.ts";

interface Pending {
  from: string;
  left: number;
  /** Errors that mean "already so" (removing an item that is gone) and count as done. */
  harmless: ReadonlySet<string>;
  resolve(): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class ReplyCollector {
  private readonly pending = new Map<string, Pending>();
  private counter = 0;
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  /**
   * Sends `iq` (its id set here) and resolves once `count` results have come from its `to` (a
   * user's bare JID); errors whose condition is in `harmless` count as results.
   */
  call(send: (el: Element) => Promise<void>, iq: Element, count: number, timeoutMs: number, harmless: ReadonlySet<string>): Promise<void> {
    const id = `ra-${this.prefix}-${++this.counter}`;
    iq.attrs.id = id;
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, new SyncError("XMPP_TIMEOUT", "XMPP server did not answer the roster set in time")), timeoutMs);
      this.pending.set(id, { from: (iq.attrs.to ?? "").toLowerCase(), left: count, harmless, resolve, reject, timer });
    });
    send(iq).catch((err: Error) => this.fail(id, err));
    return answered;
  }

  /** Takes `stanza` if it answers a pending set; returns whether it did. */
  take(stanza: Element): boolean {
    if (stanza.name !== "iq" || (stanza.attrs.type !== "result" && stanza.attrs.type !== "error")) return false;
    const p = this.pending.get(stanza.attrs.id ?? "");
    // Only the user's own address may answer: anyone else could otherwise settle our sets.
    if (!p || (stanza.attrs.from ?? "").toLowerCase() !== p.from) return false;
    if (stanza.attrs.type === "error") {
      const err = XmppStanzaError.from(stanza);
      if (!p.harmless.has(err.condition)) {
        this.fail(stanza.attrs.id ?? "", new SyncError("XMPP_ERROR", `XMPP server refused the roster set: ${err.message}`, { condition: err.condition }));
        return true;
      }
    }
    if (--p.left === 0) this.settle(stanza.attrs.id ?? "");
    return true;
  }

  /** Fails every pending set (the link went down: their answers will never come). */
  cancelAll(err: Error): void {
    for (const id of [...this.pending.keys()]) this.fail(id, err);
  }

  private settle(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve();
  }

  private fail(id: string, err: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(err);
  }
}
