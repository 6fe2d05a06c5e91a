/**
 * Error replies, RFC 6120 §8.3: the reply swaps `to` and `from`, keeps the id, has type="error"
 * and an <error type=...> with one defined condition in urn:ietf:params:xml:ns:xmpp-stanzas.
 * §8.3.1 also says an entity MUST NOT answer an error stanza with an error: callers check
 * `isError` first, so two gateways can never bounce errors forever.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { NS_STANZAS, type StanzaErrorSpec } from "../plugin-api/errors.ts";

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

/** The error reply to `original`, from the catalogue (errors.ts STANZA_ERRORS, stanzaErrorForStatus). */
export function stanzaError(original: Element, { type, condition, text }: StanzaErrorSpec): Element {
  const { to, from, id } = original.attrs;
  const error = xml("error", { type }, xml(condition, { xmlns: NS_STANZAS }));
  if (text) error.cnode(xml("text", { xmlns: NS_STANZAS }, text));
  return xml(original.name, { to: from, from: to, id, type: "error" }, error);
}
