// What test clients and raw components share: wiring an xmpp.js entity to a
// StanzaInbox, bounded start/stop, and the send/receive methods built on both.
import type { Element } from "ltx";
import type { Entity } from "@xmpp/client";
import { settlesWithin, withTimeout } from "./timeouts.ts";
import { DEFAULT_STANZA_TIMEOUT_MS, type StanzaInbox, type StanzaPredicate } from "./stanza-inbox.ts";

const CONNECT_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const IQ_TIMEOUT_MS = 5_000;

/** The send/receive half of TestClient and RawComponent. */
export interface InboxMethods {
  /** Every stanza received so far, consumed or not (capped for long runs). */
  readonly received: Element[];
  send(stanza: Element): Promise<void>;
  /** Send, then wait for the first incoming stanza matching `predicate`. */
  sendReceive(stanza: Element, predicate: StanzaPredicate, timeoutMs?: number): Promise<Element>;
  /** Send an <iq/> and resolve with the result; rejects on an error reply or timeout. */
  iq(stanza: Element, timeoutMs?: number): Promise<Element>;
  /** First matching stanza not yet consumed, including ones that arrived before the call. */
  nextStanza(predicate: StanzaPredicate, timeoutMs?: number): Promise<Element>;
  /** `count` matching stanzas within one timeout. */
  collect(predicate: StanzaPredicate, count: number, timeoutMs?: number): Promise<Element[]>;
  /** Drop buffered, unconsumed stanzas. */
  clearBuffer(): void;
}

/** Listen before start(): stanzas sent right after login or handshake must not be lost. */
export function wireEntity(xmpp: Entity, inbox: StanzaInbox): void {
  xmpp.on("stanza", (stanza) => inbox.push(stanza));
  // xmpp.js emits 'error' for socket and protocol errors; unhandled, they would crash the test run.
  xmpp.on("error", () => undefined);
}

/** start() with a deadline: a refused login or a dead server fails the test instead of hanging it. */
export async function startBounded(xmpp: Entity, label: string): Promise<void> {
  try {
    await withTimeout(xmpp.start(), CONNECT_TIMEOUT_MS, () => {
      throw new Error(`${label}: not online after ${CONNECT_TIMEOUT_MS} ms`);
    });
  } catch (err) {
    await stopBounded(xmpp);
    throw err;
  }
}

/**
 * stop() that cannot hang a teardown when the server is already gone. The socket's close ends it
 * too: xmpp.js waits for the server's closing tag on a parser that a socket closing under it has
 * detached, so a server stopping at the same moment would hold it for the whole bound.
 */
export async function stopBounded(xmpp: Entity): Promise<void> {
  xmpp.reconnect.stop();
  const closed = new Promise<void>((resolve) => xmpp.on("disconnect", () => resolve()));
  await settlesWithin(Promise.race([xmpp.stop(), closed]), STOP_TIMEOUT_MS);
}

export function inboxMethods(xmpp: Entity, inbox: StanzaInbox): InboxMethods {
  const send = (stanza: Element): Promise<void> => xmpp.send(stanza);
  const nextStanza = (predicate: StanzaPredicate, timeoutMs = DEFAULT_STANZA_TIMEOUT_MS): Promise<Element> =>
    inbox.next(predicate, timeoutMs);
  return {
    received: inbox.received,
    send,
    nextStanza,
    async sendReceive(stanza, predicate, timeoutMs = DEFAULT_STANZA_TIMEOUT_MS) {
      await send(stanza);
      return nextStanza(predicate, timeoutMs);
    },
    iq: (stanza, timeoutMs = IQ_TIMEOUT_MS) => xmpp.iqCaller.request(stanza, timeoutMs),
    collect: (predicate, count, timeoutMs = DEFAULT_STANZA_TIMEOUT_MS) => inbox.collect(predicate, count, timeoutMs),
    clearBuffer: () => inbox.clear(),
  };
}
