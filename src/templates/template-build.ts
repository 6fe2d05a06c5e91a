/**
 * Rendered program text -> stanzas. The program (template.ts) marks each element of the template
 * with control characters XML cannot carry, so they can only come from the template itself: an
 * OPEN names which template element starts, its attribute values follow (each ended by
 * ATTR_END), then its children, then CLOSE. Everything else is text. In an address attribute,
 * each printed value is wrapped in DYN_START <n> DYN_MID ... DYN_END, so the JID checks know
 * which part of the address came from input and from which expression.
 */
import { Element } from "ltx";
import { GatewayError } from "../plugin-api/errors.ts";
import { fitsJidPart, isJid, type JidPart } from "../kit/jid.ts";

export const MARK = {
  OPEN: "\u0001",
  NAME_END: "\u0002",
  ATTR_END: "\u0003",
  CLOSE: "\u0004",
  DYN_START: "\u0005",
  DYN_MID: "\u0006",
  DYN_END: "\u0007",
} as const;

export interface ElementDef {
  name: string;
  attrs: Array<{ name: string; address: boolean }>;
}

const PIECE = String.raw`\u0001(\d+)\u0002|\u0003|\u0004|\u0005(\d+)\u0006([^\u0001-\u0007]*)\u0007|[^\u0001-\u0007]+`;

type Part = string | { expr: string; text: string };
interface Frame {
  el: Element;
  def: ElementDef;
  /** Attributes still to read; while > 0, text belongs to the current attribute's value. */
  attr: number;
  parts: Part[];
}

export function buildStanzas(output: string, defs: readonly ElementDef[], placeholders: readonly string[]): Element[] {
  const stanzas: Element[] = [];
  const stack: Frame[] = [];
  const pieces = new RegExp(PIECE, "gy");
  let end = 0;
  for (let m = pieces.exec(output); m; m = pieces.exec(output)) {
    end = pieces.lastIndex;
    const top = stack[stack.length - 1];
    const [piece, open, dyn, dynText] = m;
    if (open !== undefined) {
      const def = defs[Number(open)] as ElementDef;
      stack.push({ el: new Element(def.name), def, attr: 0, parts: [] });
    } else if (piece === MARK.ATTR_END && top) {
      setAttribute(top);
    } else if (piece === MARK.CLOSE && top) {
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) parent.el.cnode(top.el);
      else stanzas.push(top.el);
    } else if (dyn !== undefined && top) {
      top.parts.push({ expr: placeholders[Number(dyn)] ?? "", text: dynText ?? "" });
    } else if (top && top.attr < top.def.attrs.length) {
      top.parts.push(piece);
    } else if (top) {
      top.el.t(piece);
    } else if (/\S/.test(piece)) {
      throw new GatewayError("PAYLOAD_MISMATCH", "The template printed text outside any stanza", { details: { text: piece.slice(0, 80) } });
    }
  }
  // The compiled program always closes what it opens; anything else is a bug, not bad input.
  if (stack.length || end !== output.length) throw new Error("stanza template rendered unbalanced element boundaries");
  return stanzas;
}

/** An attribute that renders empty is left out, so `{% if %}` can make one optional. */
function setAttribute(frame: Frame): void {
  const spec = frame.def.attrs[frame.attr++];
  const parts = frame.parts;
  frame.parts = [];
  if (!spec) return;
  const value = spec.address ? address(spec.name, parts) : parts.map((p) => (typeof p === "string" ? p : p.text)).join("");
  if (value !== "") frame.el.attrs[spec.name] = value;
}

/**
 * Which part of an address a printed value fills: `jid` when it is the whole attribute, `bare`
 * when it is everything before a literal `/`, else one JID part. The literal text decides: after
 * the first `/` is the resourcepart, before an `@` (ahead of that `/`) the localpart, after it
 * the domainpart (RFC 7622 §3.1).
 */
type Slot = JidPart | "bare" | "jid";

function address(name: string, parts: Part[]): string {
  const dynamic = parts.filter((p) => typeof p !== "string");
  const out = parts.map((p) => (typeof p === "string" ? p : p.text)).join("");
  if (!dynamic.length) return out;
  const slots = slotsOf(parts);
  parts.forEach((p, i) => {
    const slot = slots[i];
    if (typeof p === "string" || !slot || slot === "jid" || fitsSlot(slot, p.text)) return;
    throw new GatewayError(
      "INVALID_JID",
      `"${name}": {{ ${p.expr} }} must be a JID ${slot === "bare" ? "without a resource" : slot + " only"}, not ${JSON.stringify(p.text)}`,
      {
        details: { field: name, placeholder: p.expr, part: slot, value: p.text },
      },
    );
  });
  if (!isJid(out)) throw new GatewayError("INVALID_JID", `"${name}" is not a valid JID`, { details: { field: name, value: out } });
  return out;
}

function slotsOf(parts: Part[]): Array<Slot | undefined> {
  const shape = parts.map((p) => (typeof p === "string" ? p : "\u0000")).join("");
  if (!/[^\u0000]/.test(shape)) return parts.map(() => "jid");
  const slash = shape.indexOf("/");
  const bare = slash === -1 ? shape : shape.slice(0, slash);
  const at = bare.indexOf("@");
  let pos = 0;
  return parts.map((p) => {
    const here = pos;
    pos += typeof p === "string" ? p.length : 1;
    if (typeof p === "string") return undefined;
    if (slash !== -1 && here > slash) return "resourcepart";
    if (at !== -1) return here < at ? "localpart" : "domainpart";
    return /^\u0000+$/.test(bare) ? "bare" : "domainpart";
  });
}

function fitsSlot(slot: Exclude<Slot, "jid">, text: string): boolean {
  return slot === "bare" ? !text.includes("/") : fitsJidPart(slot, text);
}
