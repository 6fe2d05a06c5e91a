/**
 * Counts the answers to a roster set that carries several items: mod_privilege answers each item
 * separately with the same id (one result, or one error, per item). The set succeeded when every
 * item got a result; it failed at the first error, or when the answers stop coming.
 *
 * The answers reach the component as ordinary stanzas, so the plugin's stanza handler feeds
 * them to `take`.
 */
import { PendingIqs } from "../../src/kit/pending-iqs.ts";
import { XmppStanzaError, type Element } from "../../src/plugin-api/index.ts";
import { SyncError } from "./sync-error.ts";

export class ReplyCollector {
  private readonly pending = new PendingIqs("ra");

  /**
   * Sends `iq` (its id set here) and resolves once `count` results have come from its `to` (a
   * user's bare JID); errors whose condition is in `harmless` count as results.
   */
  call(send: (el: Element) => Promise<void>, iq: Element, count: number, timeoutMs: number, harmless: ReadonlySet<string>): Promise<void> {
    delete iq.attrs.id;
    let left = count;
    return this.pending.wait<void>(iq, send, {
      timeoutMs,
      timedOut: () => new SyncError("XMPP_TIMEOUT", "XMPP server did not answer the roster set in time"),
      // Only the user's own address may answer: anyone else could otherwise settle our sets.
      strictFrom: true,
      answer: (stanza) => {
        const err = stanza.attrs.type === "error" ? XmppStanzaError.from(stanza) : undefined;
        if (err && !harmless.has(err.condition))
          return { error: new SyncError("XMPP_ERROR", `XMPP server refused the roster set: ${err.message}`, { condition: err.condition }) };
        return --left === 0 ? { value: undefined } : { more: true };
      },
    });
  }

  /** Takes `stanza` if it answers a pending set; returns whether it did. */
  take(stanza: Element): boolean {
    return this.pending.take(stanza);
  }

  /** Fails every pending set (the link went down: their answers will never come). */
  cancelAll(err: Error): void {
    this.pending.cancelAll(err);
  }
}
