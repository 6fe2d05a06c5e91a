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

/**
 * XML 1.0 §2.3 [4]/[4a]/[5]: element and attribute names. A lenient parser (a webhook's `stanza`
 * answer) can yield names such as `to]]>`, which serialize into markup the server cannot parse.
 */
const NAME_START =
  ":A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const XML_NAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$`, "u");

/**
 * Element and attribute names found to be XML names: stanzas repeat a few dozen (`message`,
 * `body`, `to`, `xmlns`), and the test above is a Unicode regular expression. Bounded, as input
 * picks names; past the bound a name is simply tested again.
 */
const NAMES_KEPT = 1_024;
const xmlNames = new Set<string>();

function isXmlName(name: string): boolean {
  if (xmlNames.has(name)) return true;
  if (!XML_NAME.test(name)) return false;
  if (xmlNames.size < NAMES_KEPT) xmlNames.add(name);
  return true;
}

/** RFC 6120 §8.1.1/§8.1.2 addresses, and the `jid` of MUC items (XEP-0045), rosters and the like. */
const ADDRESS_ATTRIBUTES = new Set(["to", "from", "jid"]);

/**
 * Returns the stanza serialized, or throws the GatewayError that says why the server would refuse it.
 * Every stanza passes here, so the common case is cheap: names and addresses are checked in one
 * walk, and the characters of every text and attribute value in one test of the serialized
 * string (serializing only escapes `&<>"'`, so a character XML cannot carry is in the string
 * exactly when it is in a value). Only a stanza that fails is walked again, value by value, for
 * the error that names where.
 */
export function guardStanza(stanza: Element, maxBytes: number): string {
  const plain = namesAndAddressesValid(stanza);
  const xml = stanza.toString();
  if (!plain || !isXmlText(xml)) checkTree(stanza);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: a short stanza needs no count.
  if (xml.length * 3 <= maxBytes) return xml;
  const size = Buffer.byteLength(xml, "utf8");
  if (size > maxBytes) throw new GatewayError("STANZA_TOO_LARGE", undefined, { details: { size, limit: maxBytes } });
  return xml;
}

/**
 * Whether every name is an XML name and every address a JID, and no element has two text children
 * in a row (two halves of a surrogate pair, each refused alone, would pass as one in the string):
 * when true, the values' characters are left to the test of the whole string.
 */
function namesAndAddressesValid(el: Element): boolean {
  if (!isXmlName(el.name)) return false;
  const attrs = el.attrs as Record<string, unknown>;
  for (const name in attrs) {
    if (!isXmlName(name)) return false;
    const value = attrs[name];
    if (typeof value === "string" && ADDRESS_ATTRIBUTES.has(name) && !isJid(value)) return false;
  }
  let textBefore = false;
  for (const child of el.children) {
    const text = typeof child === "string";
    if (text ? textBefore : !namesAndAddressesValid(child)) return false;
    textBefore = text;
  }
  return true;
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
