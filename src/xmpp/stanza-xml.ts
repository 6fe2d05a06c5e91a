/**
 * A stanza's XML in one walk, exactly as ltx's `Element.toString` writes it (ltx/src/Element.js
 * `write`: attributes in `for in` order, a null or undefined one left out, null children left
 * out, an element without children self-closed, `&<>"'` escaped in attribute values and `&<>` in
 * text; test/unit/stanza-xml.test.ts compares the two over generated stanzas). ltx writes through
 * a closure call per piece and the guard walked the tree once more before it; every stanza passes
 * here, so the same walk also tells the guard whether the tree needs its value-by-value check.
 */
import { Element } from "ltx";
import xml from "@xmpp/xml";
import { isJid } from "../kit/jid.ts";

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

export function isXmlName(name: string): boolean {
  if (xmlNames.has(name)) return true;
  if (!XML_NAME.test(name)) return false;
  if (xmlNames.size < NAMES_KEPT) xmlNames.add(name);
  return true;
}

/** RFC 6120 §8.1.1/§8.1.2 addresses, and the `jid` of MUC items (XEP-0045), rosters and the like. */
export const ADDRESS_ATTRIBUTES = new Set(["to", "from", "jid"]);

export interface StanzaXml {
  xml: string;
  /**
   * Every name is an XML name, every address a JID, no element has two text children in a row
   * (two halves of a surrogate pair, each refused alone, would pass as one in the string) and
   * every node is an ltx element or a string: the values' characters are then left to a test
   * of the whole string. False asks for the guard's check value by value.
   */
  plain: boolean;
}

type Writer = (this: unknown, write: (piece: string) => void) => void;
/** ltx's own elements: ours (`ltx`) and xmpp.js's (`ltx/lib`, a copy of the same code). */
const LTX_WRITES = new Set<unknown>([writerOf(Element.prototype), writerOf(xml.Element.prototype)]);

export function writeStanza(stanza: Element): StanzaXml {
  const out: StanzaXml = { xml: "", plain: true };
  out.xml = writeElement(stanza, out);
  return out;
}

function writeElement(el: Element, out: StanzaXml): string {
  const name = el.name;
  if (out.plain && !isXmlName(name)) out.plain = false;
  let s = `<${name}`;
  const attrs = el.attrs as Record<string, unknown>;
  for (const key in attrs) {
    const value = attrs[key];
    if (out.plain && !(isXmlName(key) && (typeof value !== "string" || !ADDRESS_ATTRIBUTES.has(key) || isJid(value)))) out.plain = false;
    if (value != null) s += ` ${key}="${escapeAttribute(typeof value === "string" ? value : radix10(value))}"`;
  }
  const children = el.children as unknown[];
  if (children.length === 0) return `${s}/>`;
  s += ">";
  let textBefore = false;
  for (const child of children) {
    const text = typeof child === "string";
    if (text) s += escapeText(child);
    else s += writeNode(child, out);
    if (text && textBefore) out.plain = false;
    textBefore = text;
  }
  return `${s}</${name}>`;
}

/** A child that is not a string: an ltx element, or anything else written as ltx writes it. */
function writeNode(node: unknown, out: StanzaXml): string {
  if (node == null) {
    out.plain = false;
    return "";
  }
  const write = writerOf(node);
  if (LTX_WRITES.has(write)) return writeElement(node as Element, out);
  out.plain = false;
  if (write === undefined) return escapeText(radix10(node));
  let s = "";
  write.call(node, (piece) => {
    s += piece;
  });
  return s;
}

function writerOf(node: object | unknown): Writer | undefined {
  const write = (node as { write?: unknown }).write;
  return typeof write === "function" ? (write as Writer) : undefined;
}

/** ltx writes a value that is not a string with `toString(10)` (a number in decimal). */
function radix10(value: unknown): string {
  return (value as { toString(radix: number): string }).toString(10);
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
const entity = (c: string) => ENTITIES[c] ?? c;
// Tested first: most values have nothing to escape, and `test` allocates nothing.
const ATTRIBUTE_SPECIAL = /["&'<>]/;
const TEXT_SPECIAL = /[&<>]/;

function escapeAttribute(value: string): string {
  return ATTRIBUTE_SPECIAL.test(value) ? value.replace(/["&'<>]/g, entity) : value;
}

function escapeText(text: string): string {
  return TEXT_SPECIAL.test(text) ? text.replace(/[&<>]/g, entity) : text;
}
