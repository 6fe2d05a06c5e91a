/**
 * Groupchat messages waiting for the room to reflect them. XEP-0045 §7.4: the room sends every
 * message to all occupants, the sender included; Prosody and ejabberd keep the sender's `id`.
 * That echo is the proof the room took the message (a 201); an error message with the same id
 * (§7.4: not-acceptable when we are no occupant, forbidden when we are a visitor) is its refusal.
 */
import type { Element } from "ltx";
import { IqTimeoutError, XmppStanzaError } from "../plugin-api/errors.ts";

interface Waiter {
  room: string;
  resolve(echo: Element): void;
  reject(err: Error): void;
}

export class Echoes {
  /** By message id; bounded by the requests in flight, each with its own timeout. */
  private readonly waiting = new Map<string, Waiter>();

  /** Resolves with the echo of message `id` from `room` (bare, lowercased), else rejects. */
  wait(id: string, room: string, timeoutMs: number): Promise<Element> {
    const { promise, resolve, reject } = Promise.withResolvers<Element>();
    const timer = setTimeout(() => settle(() => reject(new IqTimeoutError(room))), timeoutMs);
    const settle = (then: () => void) => {
      clearTimeout(timer);
      this.waiting.delete(id);
      then();
    };
    this.waiting.set(id, { room, resolve: (echo) => settle(() => resolve(echo)), reject: (err) => settle(() => reject(err)) });
    return promise;
  }

  /** Takes a message from a room that answers one we wait for. */
  take(stanza: Element): boolean {
    const waiter = this.waiting.get(stanza.attrs.id ?? "");
    const room = (stanza.attrs.from ?? "").split("/")[0]?.toLowerCase();
    if (stanza.name !== "message" || !waiter || waiter.room !== room) return false;
    if (stanza.attrs.type === "error") waiter.reject(XmppStanzaError.from(stanza));
    else if (stanza.attrs.type === "groupchat") waiter.resolve(stanza);
    else return false;
    return true;
  }

  fail(id: string, err: Error): void {
    this.waiting.get(id)?.reject(err);
  }

  failAll(err: Error): void {
    for (const waiter of [...this.waiting.values()]) waiter.reject(err);
  }
}
