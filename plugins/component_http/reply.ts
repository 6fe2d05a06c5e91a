/**
 * Turns the webhook's 200 JSON answer into the stanza to send, as mod_component_http does:
 * `stanza` wins and is sent with addresses filled in; otherwise a stanza of `kind` (default
 * message) is built from to/from (default: the request's, swapped), type (default chat for a
 * message) and body.
 */
import type { Element } from "../../src/plugin-api/index.ts";
import { isXmlText } from "../../src/kit/xml-text.ts";
import { parseXml as parse, xml } from "../../src/kit/xml.ts";
import { STREAM_NAMESPACES } from "./webhook.ts";

export type Built = { ok: true; stanza: Element } | { ok: false; reason: string };

export type Addressing = "swap" | "keep";

const STRING_FIELDS = ["to", "from", "kind", "type", "stanza"] as const;

export function buildReply(answer: Record<string, unknown>, request: Element, addressing: Addressing): Built {
  for (const field of STRING_FIELDS) {
    const value = answer[field];
    if (value !== undefined && value !== null && typeof value !== "string") return { ok: false, reason: `"${field}" must be a string` };
  }
  const built = typeof answer.stanza === "string" ? fromStanzaText(answer.stanza, request, addressing) : fromFields(answer, request);
  if (built.ok) fillIqId(built.stanza, request);
  return built;
}

/** The module overwrites both addresses ("swap"); its README says the stanza is sent as-is ("keep"). */
function fromStanzaText(text: string, request: Element, addressing: Addressing): Built {
  const parsed = parseStanza(text);
  if (!parsed.ok) return parsed;
  const { attrs } = parsed.stanza;
  if (addressing === "swap" || attrs.from === undefined) attrs.from = request.attrs.to;
  if (addressing === "swap" || attrs.to === undefined) attrs.to = request.attrs.from;
  return parsed;
}

function fromFields(answer: Record<string, unknown>, request: Element): Built {
  const kind = str(answer.kind) ?? "message";
  if (!STANZA_KINDS.has(kind)) return { ok: false, reason: `"kind" must be message, presence or iq, not ${JSON.stringify(kind)}` };
  const type = str(answer.type) ?? defaultType(kind, request);
  const stanza = xml(kind, { to: str(answer.to) ?? request.attrs.from, from: str(answer.from) ?? request.attrs.to, type });
  const body = bodyOf(answer.body);
  if (kind === "message" && body !== undefined) stanza.c("body").t(body);
  const values = [body, ...Object.values(stanza.attrs)].filter((v) => v !== undefined);
  if (!values.every((v) => isXmlText(v))) return { ok: false, reason: "the answer holds characters XML cannot carry" };
  return { ok: true, stanza };
}

/**
 * A message defaults to chat, as in the module. The module gives an iq no type; RFC 6120 §8.1.2
 * requires one, so an iq answering a get/set defaults to result.
 */
function defaultType(kind: string, request: Element): string | undefined {
  if (kind === "message") return "chat";
  if (kind === "iq" && request.name === "iq" && (request.attrs.type === "get" || request.attrs.type === "set")) return "result";
  return undefined;
}

/** RFC 6120 §8.1.3: an iq needs an id, and its response the request's id; the module left it out. */
function fillIqId(stanza: Element, request: Element): void {
  if (stanza.name === "iq" && request.name === "iq" && stanza.attrs.id === undefined) stanza.attrs.id = request.attrs.id;
}

/** The module writes tostring(body): numbers and booleans become text; null means no body. */
function bodyOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Reads a stanza the webhook wrote as a string. Anything sent on the component stream that is not
 * well-formed, or carries characters XML cannot hold, makes the server close the whole stream
 * (RFC 6120 §4.9.3.13 not-well-formed), cutting every route off, so the text is checked here.
 */
const STANZA_KINDS: ReadonlySet<string> = new Set(["message", "presence", "iq"]);

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
