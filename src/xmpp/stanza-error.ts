/**
 * Error replies, RFC 6120 §8.3: the reply swaps `to` and `from`, keeps the id, has type="error"
 * and an <error type=...> with one defined condition in urn:ietf:params:xml:ns:xmpp-stanzas.
 * §8.3.1 also says an entity MUST NOT answer an error stanza with an error: callers check
 * `isError` first, so two gateways can never bounce errors forever.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";

export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

export function isError(stanza: Element): boolean {
  return stanza.attrs.type === "error";
}

/**
 * Whether the sender waits for an answer, so a stanza nobody can handle gets an error back.
 * RFC 6120 §8.2.3: an iq get/set MUST get a reply. Chat and normal messages get one (RFC 6121
 * §8.5.2) so the sender knows nobody read them; groupchat and headline messages, presence, iq
 * results and errors never do (a MUC would kick an occupant that answers room traffic with errors).
 */
export function needsAnswer(stanza: Element): boolean {
  if (isError(stanza)) return false;
  const type = stanza.attrs.type;
  if (stanza.name === "iq") return type === "get" || type === "set";
  if (stanza.name === "message") return type === undefined || type === "chat" || type === "normal";
  return false;
}

export function stanzaError(original: Element, type: StanzaErrorType, condition: string, text?: string): Element {
  const { to, from, id } = original.attrs;
  const error = xml("error", { type }, xml(condition, { xmlns: NS_STANZAS }));
  if (text) error.cnode(xml("text", { xmlns: NS_STANZAS }, text));
  return xml(original.name, { to: from, from: to, id, type: "error" }, error);
}

/** An iq error answer, as a JS error (see XmppPort.request). */
export class XmppStanzaError extends Error {
  constructor(
    readonly condition: string,
    readonly type: string,
    readonly text: string | undefined,
    readonly stanza: Element,
  ) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = "XmppStanzaError";
  }

  static from(stanza: Element): XmppStanzaError {
    const error = stanza.getChild("error");
    const condition = error?.getChildElements().find((c) => c.attrs.xmlns === NS_STANZAS && c.name !== "text")?.name ?? "undefined-condition";
    const text = error?.getChildText("text", NS_STANZAS) ?? undefined;
    return new XmppStanzaError(condition, error?.attrs.type ?? "cancel", text, stanza);
  }
}
