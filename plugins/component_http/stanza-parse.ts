/**
 * Reads a stanza the webhook wrote as a string. Anything sent on the component stream that is not
 * well-formed, or carries characters XML cannot hold, makes the server close the whole stream
 * (RFC 6120 §4.9.3.13 not-well-formed), cutting every route off, so the text is checked here.
 */
import { parseXml as parse } from "../../src/plugin-api.ts";
import { isXmlText, type Element } from "../../src/plugin-api.ts";
import { STREAM_NAMESPACES } from "./payload.ts";

export const STANZA_KINDS: ReadonlySet<string> = new Set(["message", "presence", "iq"]);

export type ParsedStanza = { ok: true; stanza: Element } | { ok: false; reason: string };

export function parseStanza(text: string): ParsedStanza {
  const root = parseOneElement(text);
  if (typeof root === "string") return { ok: false, reason: root };
  if (!STANZA_KINDS.has(root.name)) return { ok: false, reason: `<${root.name}/> is not a message, presence or iq` };
  const xmlns = root.attrs.xmlns;
  if (xmlns !== undefined && !STREAM_NAMESPACES.has(xmlns)) return { ok: false, reason: `a stanza cannot be in namespace ${xmlns}` };
  if (!allXmlText(root)) return { ok: false, reason: "the stanza holds characters XML cannot carry" };
  delete root.attrs.xmlns;
  root.parent = null;
  return { ok: true, stanza: root };
}

/** ltx alone takes the first element of "<a/><b/>" and ignores the rest; a wrapper sees it all. */
function parseOneElement(text: string): Element | string {
  let wrapper: Element;
  try {
    wrapper = parse(`<wrapper>${text}</wrapper>`);
  } catch (err) {
    return `not well-formed XML (${(err as Error).message})`;
  }
  const elements = wrapper.getChildElements();
  const strayText = wrapper.children.some((c) => typeof c === "string" && c.trim() !== "");
  if (elements.length !== 1 || strayText) return "not exactly one XML element";
  return elements[0] as Element;
}

function allXmlText(el: Element): boolean {
  if (!Object.entries(el.attrs).every(([k, v]) => isXmlText(k) && (v === undefined || isXmlText(v)))) return false;
  return el.children.every((c) => (typeof c === "string" ? isXmlText(c) : allXmlText(c)));
}
