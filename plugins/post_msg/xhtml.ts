/**
 * The `html` form field: XHTML-IM markup (XEP-0071) checked as strictly as mod_post_msg's XML
 * parser (expat, with namespaces) checks it, then parsed into the <body/> of an <html/> payload.
 *
 * Why a checker of our own: ltx's parser is lenient. It accepts a bare `&`, drops whatever follows
 * a stray `</body>`, and keeps unbound prefixes such as `<a:b/>`, which the server's parser then
 * rejects, closing the whole component stream (RFC 6120 §4.9.3.1 bad-format). Markup that is not
 * well-formed XML 1.0 with Namespaces (https://www.w3.org/TR/xml/, https://www.w3.org/TR/xml-names/)
 * is refused here instead, and only checked markup reaches ltx.
 */
import { isXmlText } from "../../src/kit/xml-text.ts";
import { parseXml } from "../../src/kit/xml.ts";
import type { Element } from "../../src/plugin-api/index.ts";

export const NS_XHTML_IM = "http://jabber.org/protocol/xhtml-im";
const NS_XHTML = "http://www.w3.org/1999/xhtml";
const NS_XML = "http://www.w3.org/XML/1998/namespace";

/** Why the markup is not well-formed, with the offset in the field where it was noticed. */
export class MarkupError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "MarkupError";
  }
}

// XML 1.0 §2.3 NameStartChar / NameChar, without ':' (Namespaces §3: NCName).
const START =
  "A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const NCNAME = `[${START}][${START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040]*`;
const QNAME = `(?:${NCNAME}:)?${NCNAME}`;
const S = "[ \\t\\r\\n]";
const ATTR = `(${QNAME})${S}*=${S}*(?:"([^<"]*)"|'([^<']*)')`;
const START_TAG = new RegExp(`<(${QNAME})((?:${S}+${ATTR})*)${S}*(/?)>`, "uy");
const ATTRS = new RegExp(ATTR, "gu");
const END_TAG = new RegExp(`</(${QNAME})${S}*>`, "uy");
const PI = new RegExp(`<\\?(${NCNAME})(?:${S}[^]*?)?\\?>`, "uy");
/** Deeper markup is refused: ltx builds and serializes trees recursively, and no message needs it. */
export const MAX_DEPTH = 256;
const REFERENCE = /&(?:amp|lt|gt|quot|apos|#([0-9]+)|#x([0-9a-fA-F]+));/y;

/** `<body xmlns="http://www.w3.org/1999/xhtml">markup</body>`, or a MarkupError. */
export function parseXhtmlBody(markup: string): Element {
  checkWellFormed(markup);
  return parseXml(`<body xmlns="${NS_XHTML}">${markup}</body>`);
}

interface Open {
  name: string;
  /** Prefixes declared on this element (xmlns:p="..."). */
  prefixes: Map<string, string>;
}

/** Throws a MarkupError unless `markup` is well-formed XML content (a fragment, several roots allowed). */
export function checkWellFormed(markup: string): void {
  if (!isXmlText(markup)) throw new MarkupError("contains characters XML cannot carry", 0);
  const open: Open[] = [{ name: "", prefixes: new Map([["xml", NS_XML]]) }];
  let pos = 0;
  while (pos < markup.length) pos = step(markup, pos, open);
  const unclosed = open.at(-1);
  if (open.length > 1 && unclosed) throw new MarkupError(`<${unclosed.name}> is not closed`, markup.length);
}

/** Reads one token at `pos` and returns where the next one starts. */
function step(markup: string, pos: number, open: Open[]): number {
  if (markup[pos] !== "<") return text(markup, pos);
  if (markup.startsWith("<!--", pos)) return comment(markup, pos);
  if (markup.startsWith("<![CDATA[", pos)) return until(markup, pos, "]]>", "CDATA section");
  if (markup.startsWith("<?", pos)) return instruction(markup, pos);
  if (markup.startsWith("</", pos)) return endTag(markup, pos, open);
  if (markup.startsWith("<!", pos)) throw new MarkupError("declarations (<!DOCTYPE ...>) are not allowed", pos);
  return startTag(markup, pos, open);
}

function text(markup: string, pos: number): number {
  const end = markup.indexOf("<", pos) === -1 ? markup.length : markup.indexOf("<", pos);
  const chunk = markup.slice(pos, end);
  if (chunk.includes("]]>")) throw new MarkupError("]]> is not allowed in text", pos + chunk.indexOf("]]>"));
  checkReferences(chunk, pos);
  return end;
}

/** XML 1.0 §4.1: only the five predefined entities and character references to legal characters. */
function checkReferences(chunk: string, offset: number): void {
  for (let i = chunk.indexOf("&"); i !== -1; i = chunk.indexOf("&", i + 1)) {
    REFERENCE.lastIndex = i;
    const m = REFERENCE.exec(chunk);
    if (!m) throw new MarkupError("& must start an entity such as &amp; (escape it as &amp;)", offset + i);
    const code = m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? parseInt(m[2], 16) : undefined;
    if (code !== undefined && (code > 0x10ffff || !isXmlText(String.fromCodePoint(code)))) {
      throw new MarkupError(`character reference ${m[0]} is not a legal XML character`, offset + i);
    }
  }
}

function comment(markup: string, pos: number): number {
  const end = until(markup, pos, "-->", "comment");
  const content = markup.slice(pos + 4, end - 3);
  if (content.includes("--") || content.endsWith("-")) throw new MarkupError("-- is not allowed inside a comment", pos);
  return end;
}

function instruction(markup: string, pos: number): number {
  PI.lastIndex = pos;
  const m = PI.exec(markup);
  if (!m) throw new MarkupError("malformed processing instruction", pos);
  if (m[1]?.toLowerCase() === "xml") throw new MarkupError("an XML declaration is only allowed at the start of a document", pos);
  return PI.lastIndex;
}

/** The position after `terminator`, which must follow `pos`. */
function until(markup: string, pos: number, terminator: string, what: string): number {
  const end = markup.indexOf(terminator, pos);
  if (end === -1) throw new MarkupError(`${what} is not closed`, pos);
  return end + terminator.length;
}

function endTag(markup: string, pos: number, open: Open[]): number {
  END_TAG.lastIndex = pos;
  const m = END_TAG.exec(markup);
  if (!m) throw new MarkupError("malformed end tag", pos);
  const current = open.at(-1);
  if (open.length === 1 || current?.name !== m[1]) {
    throw new MarkupError(open.length === 1 ? `</${m[1]}> closes nothing` : `</${m[1]}> does not match <${current?.name}>`, pos);
  }
  open.pop();
  return END_TAG.lastIndex;
}

function startTag(markup: string, pos: number, open: Open[]): number {
  START_TAG.lastIndex = pos;
  const m = START_TAG.exec(markup);
  if (!m?.[1]) throw new MarkupError("malformed start tag", pos);
  const element: Open = { name: m[1], prefixes: new Map() };
  const names = readAttributes(m[2] ?? "", pos, element);
  for (const name of [element.name, ...names.filter((n) => !n.startsWith("xmlns:"))]) checkPrefix(name, open, element, pos);
  if (m[6] !== "/") open.push(element);
  if (open.length - 1 > MAX_DEPTH) throw new MarkupError(`elements nested deeper than ${MAX_DEPTH}`, pos);
  return START_TAG.lastIndex;
}

/** Checks each attribute and records namespace declarations; returns the attribute names. */
function readAttributes(source: string, pos: number, element: Open): string[] {
  const names: string[] = [];
  for (const a of source.matchAll(ATTRS)) {
    const [, name = "", double, single] = a;
    const value = double ?? single ?? "";
    if (names.includes(name)) throw new MarkupError(`attribute ${name} appears twice`, pos);
    checkReferences(value, pos);
    if (name.startsWith("xmlns:")) declarePrefix(name.slice(6), value, pos, element);
    names.push(name);
  }
  return names;
}

/** Namespaces §3: a prefix is bound to a non-empty name; `xmlns` is reserved, `xml` is fixed. */
function declarePrefix(prefix: string, uri: string, pos: number, element: Open): void {
  if (uri === "" || prefix === "xmlns" || (prefix === "xml") !== (uri === NS_XML)) {
    throw new MarkupError(`xmlns:${prefix}="${uri}" is not a valid namespace declaration`, pos);
  }
  element.prefixes.set(prefix, uri);
}

/** Namespaces §5.1: a prefixed name needs a declaration in scope. */
function checkPrefix(name: string, open: Open[], element: Open, pos: number): void {
  const colon = name.indexOf(":");
  if (colon === -1) return;
  const prefix = name.slice(0, colon);
  if (!element.prefixes.has(prefix) && !open.some((o) => o.prefixes.has(prefix)))
    throw new MarkupError(`prefix ${prefix} is not declared (in ${name})`, pos);
}
