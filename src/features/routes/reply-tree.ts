/**
 * An iq answer as `respond:` templates read it: the `reply` root. A path walks the stanza:
 *
 *   reply.type, reply.from            attributes of the <iq/>
 *   reply.query.version               the first <version/> in the first <query/>: its text when it
 *                                     has neither attributes nor child elements
 *   reply.query.identity.name         an attribute (attributes win over children of the same name)
 *   reply.query.item*                 every <item/> child, as a list (always a list, maybe empty)
 *   reply.query.item*.0.jid           an index into such a list
 *   reply.query.$text                 the text of an element that also has attributes or children
 *
 * A whole element as a value is JSON: its text when it is a leaf, else an object of its
 * attributes and children (a name repeated becomes a list), plus `$text` when it has text.
 */
import type { Element } from "ltx";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One segment: a name (with `*` for every child of that name), `$text`, or a list index. */
export const REPLY_SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_-]*\*?|\$text|[0-9]+)$/;

type Node = Element | Element[] | string | undefined;

/** The value at `path` below the reply stanza, as JSON; null when the path leads nowhere. */
export function replyValue(reply: Element, path: readonly string[]): Json {
  let node: Node = reply;
  for (const segment of path) node = step(node, segment);
  return toJson(node);
}

function step(node: Node, segment: string): Node {
  if (Array.isArray(node)) return /^[0-9]+$/.test(segment) ? node[Number(segment)] : undefined;
  if (node === undefined || typeof node === "string") return undefined;
  if (segment === "$text") return node.getText();
  if (segment.endsWith("*")) return node.getChildElements().filter((c) => localName(c) === segment.slice(0, -1));
  const attr = node.attrs[segment];
  if (typeof attr === "string") return attr;
  return node.getChildElements().find((c) => localName(c) === segment);
}

function toJson(node: Node): Json {
  if (node === undefined) return null;
  if (typeof node === "string") return node;
  if (Array.isArray(node)) return node.map(elementJson);
  return elementJson(node);
}

function elementJson(el: Element): Json {
  const attrs = Object.entries(el.attrs).filter(([k, v]) => k !== "xmlns" && typeof v === "string");
  const children = el.getChildElements();
  if (attrs.length === 0 && children.length === 0) return el.getText();
  const out: Record<string, Json> = Object.fromEntries(attrs as Array<[string, string]>);
  const byName = new Map<string, Element[]>();
  for (const child of children) byName.set(localName(child), [...(byName.get(localName(child)) ?? []), child]);
  for (const [name, list] of byName) {
    if (name in out) continue;
    out[name] = list.length > 1 ? list.map(elementJson) : elementJson(list[0] as Element);
  }
  const text = el.getText().trim();
  if (text) out.$text = text;
  return out;
}

/** The element's name without a prefix (`<stream:features>` is `features`). */
function localName(el: Element): string {
  const colon = el.name.indexOf(":");
  return colon === -1 ? el.name : el.name.slice(colon + 1);
}
