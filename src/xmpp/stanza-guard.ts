/**
 * The last check before a stanza reaches the outbox or the stream. The server answers a stanza it
 * cannot take not with an error stanza but by closing the whole stream (RFC 6120 §4.9.3): a stanza
 * over its size limit (`policy-violation`, Prosody logs `not-well-formed`), a character XML 1.0
 * §2.2 forbids (`not-well-formed`), an address that is not a JID (`improper-addressing` or
 * `invalid-from`). Each of those would cut the link for every route, again at every reconnect if
 * it were queued; so they are refused here, as a 4xx to the one caller who sent them.
 */
import type { Element } from "ltx";
import { GatewayError } from "../plugin-api/errors.ts";
import { isJid } from "../kit/jid.ts";
import { isXmlText } from "../kit/xml-text.ts";
import { ADDRESS_ATTRIBUTES, isXmlName, writeStanza } from "./stanza-xml.ts";

/**
 * Returns the stanza serialized, or throws the GatewayError that says why the server would refuse it.
 * Every stanza passes here, so the common case is cheap: one walk writes the string and checks
 * names and addresses (stanza-xml.ts), and the characters of every text and attribute value are
 * checked in one test of that string (serializing only escapes `&<>"'`, so a character XML cannot
 * carry is in the string exactly when it is in a value). Only a stanza that fails is walked
 * again, value by value, for the error that names where.
 */
export function guardStanza(stanza: Element, maxBytes: number): string {
  const { xml, plain } = writeStanza(stanza);
  if (!plain || !isXmlText(xml)) checkTree(stanza);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: a short stanza needs no count.
  if (xml.length * 3 <= maxBytes) return xml;
  const size = Buffer.byteLength(xml, "utf8");
  if (size > maxBytes) throw new GatewayError("STANZA_TOO_LARGE", undefined, { details: { size, limit: maxBytes } });
  return xml;
}

/** The check value by value, in document order: throws the first problem with where it is. */
function checkTree(el: Element): void {
  if (!isXmlName(el.name))
    throw new GatewayError("INVALID_MARKUP", "an element name is not an XML name", { details: { element: el.name.slice(0, 100) } });
  for (const [name, value] of Object.entries(el.attrs)) {
    if (!isXmlName(name))
      throw new GatewayError("INVALID_MARKUP", `an attribute name of <${el.name}> is not an XML name`, {
        details: { element: el.name, attribute: name.slice(0, 100) },
      });
    if (typeof value !== "string") continue;
    if (ADDRESS_ATTRIBUTES.has(name) && !(isXmlText(value) && isJid(value))) {
      throw new GatewayError("INVALID_JID", `"${name}" of <${el.name}> is not a valid JID`, {
        details: { element: el.name, attribute: name },
      });
    }
    if (!isXmlText(value)) {
      throw new GatewayError("INVALID_XML_TEXT", `attribute "${name}" of <${el.name}> contains characters that XML cannot carry`, {
        details: { element: el.name, attribute: name },
      });
    }
  }
  for (const child of el.children) {
    if (typeof child === "string") {
      if (!isXmlText(child))
        throw new GatewayError("INVALID_XML_TEXT", `the text of <${el.name}> contains characters that XML cannot carry`, {
          details: { element: el.name },
        });
    } else checkTree(child);
  }
}
