/**
 * The last check before a stanza reaches the outbox or the stream. The server answers a stanza it
 * cannot take not with an error stanza but by closing the whole stream (RFC 6120 §4.9.3): a stanza
 * over its size limit (`policy-violation`, Prosody logs `not-well-formed`), a character XML 1.0
 * §2.2 forbids (`not-well-formed`), an address that is not a JID (`improper-addressing` or
 * `invalid-from`). Each of those would cut the link for every route, again at every reconnect if
 * it were queued; so they are refused here, as a 4xx to the one caller who sent them.
 */
import type { Element } from "ltx";
import { GatewayError } from "../errors.ts";
import { isJid } from "./jid.ts";
import { isXmlText } from "./xml-text.ts";

/** RFC 6120 §8.1.1/§8.1.2 addresses, and the `jid` of MUC items (XEP-0045), rosters and the like. */
const ADDRESS_ATTRIBUTES = new Set(["to", "from", "jid"]);

/** Returns the stanza serialized, or throws the GatewayError that says why the server would refuse it. */
export function guardStanza(stanza: Element, maxBytes: number): string {
  checkTree(stanza);
  const xml = stanza.toString();
  const size = Buffer.byteLength(xml, "utf8");
  if (size > maxBytes) throw new GatewayError("STANZA_TOO_LARGE", undefined, { details: { size, limit: maxBytes } });
  return xml;
}

function checkTree(el: Element): void {
  for (const [name, value] of Object.entries(el.attrs)) {
    if (typeof value !== "string") continue;
    if (ADDRESS_ATTRIBUTES.has(name) && !(isXmlText(value) && isJid(value))) {
      throw new GatewayError("INVALID_JID", `"${name}" of <${el.name}> is not a valid JID`, { details: { element: el.name, attribute: name } });
    }
    if (!isXmlText(value)) {
      throw new GatewayError("INVALID_XML_TEXT", `attribute "${name}" of <${el.name}> contains characters that XML cannot carry`, { details: { element: el.name, attribute: name } });
    }
  }
  for (const child of el.children) {
    if (typeof child === "string") {
      if (!isXmlText(child)) throw new GatewayError("INVALID_XML_TEXT", `the text of <${el.name}> contains characters that XML cannot carry`, { details: { element: el.name } });
    } else checkTree(child);
  }
}
