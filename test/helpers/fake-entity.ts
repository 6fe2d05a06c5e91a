// A stand-in for the xmpp.js component under XmppLink: no socket, no server. It implements the
// link's ComponentEntity type, so a change to what the link drives fails to compile here.
import { EventEmitter } from "node:events";
import xml from "@xmpp/xml";
import { parse, type Element } from "ltx";
import type { ComponentEntity } from "../../src/xmpp/tls-component.ts";

/** What the fake server answers to a stanza the gateway wrote (nothing when undefined). */
export type FakeAnswer = (stanza: Element) => Element | undefined;

/** XEP-0199 §4.2: the server answers a ping addressed to it with an empty result (the outbox's barrier). */
const answerPings: FakeAnswer = (stanza) =>
  stanza.is("iq") && stanza.attrs.type === "get" && stanza.getChild("ping", "urn:xmpp:ping")
    ? xml("iq", { type: "result", id: stanza.attrs.id, from: stanza.attrs.to, to: stanza.attrs.from })
    : undefined;

export class FakeEntity extends EventEmitter implements ComponentEntity {
  /** Every stanza the gateway wrote, in order. */
  readonly sent: Element[] = [];
  timeout = 2_000;

  constructor(private readonly answer: FakeAnswer = answerPings) {
    super();
  }

  async connect(): Promise<void> {}

  /** The handshake is skipped: the stream is "online" right after it opens. */
  async open(): Promise<Element> {
    queueMicrotask(() => this.emit("online"));
    return xml("stream:stream");
  }

  async authenticate(): Promise<void> {}

  async stop(): Promise<void> {}

  async disconnect(): Promise<void> {
    this.emit("disconnect");
  }

  /** The write queue joins stanzas written in one turn into one chunk. */
  async write(chunk: string): Promise<void> {
    for (const stanza of parse(`<chunk>${chunk}</chunk>`).getChildElements()) {
      this.sent.push(stanza);
      const reply = this.answer(stanza);
      if (reply) queueMicrotask(() => this.receive(reply));
    }
  }

  /** A stanza arriving from the server. */
  receive(stanza: Element): void {
    this.emit("stanza", stanza);
  }
}
