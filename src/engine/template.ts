/**
 * Stanza templates: XML with `{{ expr }}` placeholders, compiled once when routes.yaml loads.
 *
 * A template is parsed into an element tree before any input exists; rendering fills values into
 * that tree's text nodes and attribute values, never into markup. The XML serializer escapes
 * them, so no input can add an element or an attribute, whatever it contains.
 */
import { parse, Element } from "ltx";
import { GatewayError } from "../errors.ts";
import { fitsJidPart, isJid, type JidPart } from "../plugin-api/jid.ts";
import { isXmlText } from "../plugin-api/xml-text.ts";
import { suggest } from "../config/suggest.ts";

/** What a template can read: `{{ params.room }}`, `{{ body.text }}`, `{{ user.jid }}`... */
export const TEMPLATE_ROOTS = ["params", "query", "body", "user", "id"] as const;
export type TemplateScope = Partial<Record<(typeof TEMPLATE_ROOTS)[number], unknown>>;

/** Attributes that carry addresses: a value rendered from input must be a valid JID. */
const JID_ATTRIBUTES = new Set(["to", "from", "jid"]);
const STANZA_NAMES = new Set(["message", "presence", "iq"]);
const PLACEHOLDER = /\{\{\s*(.*?)\s*\}\}/g;
const EXPRESSION = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/;

/**
 * Which part of an address a placeholder fills, found when the template compiles: `jid` when it
 * is the whole attribute, `bare` when it is everything before a literal `/`, else one JID part.
 */
type Slot = JidPart | "bare" | "jid";
type Placeholder = { expr: string; path: string[]; offset: number; slot?: Slot };
type Part = string | Placeholder;
type Value = Part[];

interface Compiled {
  name: string;
  attrs: Array<[string, Value]>;
  children: Array<Compiled | Value>;
}

export interface CompiledTemplate {
  /** Every expression used, for checks such as "does this route's body declare that field?". */
  readonly expressions: readonly string[];
  /** Each placeholder with its offset in the source, so `check` can point at it. */
  readonly placeholders: ReadonlyArray<{ expr: string; offset: number }>;
  render(scope: TemplateScope): Element;
}

export interface TemplateProblem {
  message: string;
  /** Offset in the template source, where known (0 otherwise). */
  offset: number;
}

/** A template that cannot compile; `problems` holds every problem found, this one first. */
export class TemplateError extends Error {
  readonly problems: readonly TemplateProblem[];
  constructor(message: string, readonly offset = 0, more: readonly TemplateProblem[] = []) {
    super(message);
    this.name = "TemplateError";
    this.problems = [{ message, offset }, ...more];
  }
}

export function compileTemplate(source: string): CompiledTemplate {
  const { marked, parts, problems } = markPlaceholders(source);
  let tree: Compiled | undefined;
  try {
    const root = parseSingleElement(marked);
    if (!STANZA_NAMES.has(root.name)) throw new TemplateError(`the root element must be <message>, <presence> or <iq>, not <${root.name}>`);
    tree = compileElement(root, parts);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    problems.push(...err.problems);
  }
  const [first, ...more] = problems;
  if (first || !tree) throw new TemplateError(first?.message ?? "no element", first?.offset, more);
  const compiled = tree;
  return {
    expressions: parts.map((p) => p.expr),
    placeholders: parts.map(({ expr, offset }) => ({ expr, offset })),
    render: (scope) => renderElement(compiled, scope),
  };
}

/**
 * Replaces each placeholder by a marker the XML parser treats as plain text, collecting every
 * bad placeholder rather than stopping at the first (the XML around them is still checked).
 */
function markPlaceholders(source: string): { marked: string; parts: Placeholder[]; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  const inName = source.search(/<\/?\s*\{\{/);
  if (inName !== -1) problems.push({ message: "a placeholder cannot be an element name", offset: inName });
  const parts: Placeholder[] = [];
  const marked = source.replace(PLACEHOLDER, (_m, expr: string, offset: number) => {
    const path = expr.split(".");
    const root = path[0] ?? "";
    if (!EXPRESSION.test(expr)) problems.push({ message: `"{{ ${expr} }}" is not a dotted name such as body.text`, offset });
    else if (!(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
      const hint = suggest(root, TEMPLATE_ROOTS);
      problems.push({ message: `"{{ ${expr} }}" starts with an unknown name${hint ? ` (did you mean "${hint}"?)` : ""} (known: ${TEMPLATE_ROOTS.join(", ")})`, offset });
    }
    parts.push({ expr, path, offset });
    return marker(parts.length - 1);
  });
  const stray = marked.search(/\{\{|\}\}/);
  if (stray !== -1) problems.push({ message: "unbalanced {{ or }}", offset: stray });
  return { marked, parts, problems };
}

const marker = (i: number) => `\u{e000}${i}\u{e001}`;
const MARKER = /\u{e000}(\d+)\u{e001}/u;

function parseSingleElement(xml: string): Element {
  let wrapper: Element;
  try {
    wrapper = parse(`<t>${xml}</t>`);
  } catch (err) {
    throw new TemplateError(`not well-formed XML: ${(err as Error).message}`);
  }
  const elements = wrapper.children.filter((c): c is Element => typeof c !== "string");
  const text = wrapper.children.filter((c): c is string => typeof c === "string").join("");
  if (elements.length !== 1 || text.trim() !== "") throw new TemplateError("a template must be exactly one element");
  return elements[0] as Element;
}

function compileElement(el: Element, parts: Placeholder[]): Compiled {
  if (MARKER.test(el.name)) throw new TemplateError(`a placeholder cannot be an element name`);
  const attrs: Array<[string, Value]> = [];
  for (const [name, value] of Object.entries(el.attrs)) {
    if (MARKER.test(name)) throw new TemplateError("a placeholder cannot be an attribute name");
    if (value === undefined) continue;
    const split = splitValue(value, parts);
    attrs.push([name, JID_ATTRIBUTES.has(name) ? withJidSlots(split) : split]);
  }
  const children: Compiled["children"] = [];
  for (const child of el.children) {
    if (typeof child !== "string") children.push(compileElement(child, parts));
    else if (child.trim() !== "" || MARKER.test(child)) children.push(splitValue(child, parts));
  }
  return { name: el.name, attrs, children };
}

function splitValue(text: string, parts: Placeholder[]): Value {
  return text.split(new RegExp(MARKER.source, "u")).map((piece, i) => (i % 2 === 0 ? piece : (parts[Number(piece)] as Part)));
}

/**
 * Marks each placeholder of an address attribute with the part it fills. The literal text decides:
 * after the first `/` is the resourcepart, before an `@` (ahead of that `/`) the localpart, after
 * it the domainpart (RFC 7622 §3.1). A placeholder alone before a `/` fills the bare JID.
 */
function withJidSlots(value: Value): Value {
  const shape = value.map((p) => (typeof p === "string" ? p : "\u0000")).join("");
  if (!/[^\u0000]/.test(shape)) return value.map((p) => (typeof p === "string" ? p : { ...p, slot: "jid" }));
  const slash = shape.indexOf("/");
  const bare = slash === -1 ? shape : shape.slice(0, slash);
  const at = bare.indexOf("@");
  let pos = 0;
  return value.map((p) => {
    const here = pos;
    pos += typeof p === "string" ? p.length : 1;
    if (typeof p === "string") return p;
    const slot: Slot =
      slash !== -1 && here > slash ? "resourcepart"
      : at !== -1 ? (here < at ? "localpart" : "domainpart")
      : /^\u0000+$/.test(bare) ? "bare"
      : "domainpart";
    return { ...p, slot };
  });
}

function renderElement(tree: Compiled, scope: TemplateScope): Element {
  const el = new Element(tree.name);
  for (const [name, value] of tree.attrs) el.attrs[name] = JID_ATTRIBUTES.has(name) ? renderAddress(name, value, scope) : renderValue(value, scope);
  for (const child of tree.children) {
    if (Array.isArray(child)) el.t(renderValue(child, scope));
    else el.cnode(renderElement(child, scope));
  }
  return el;
}

/** An address: each value must be the part it fills and nothing more, then the whole a valid JID. */
function renderAddress(name: string, value: Value, scope: TemplateScope): string {
  let out = "";
  for (const part of value) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    const text = lookup(scope, part);
    if (part.slot && part.slot !== "jid" && !fitsSlot(part.slot, text)) {
      throw new GatewayError("INVALID_JID", `"${name}": {{ ${part.expr} }} must be a JID ${part.slot === "bare" ? "without a resource" : part.slot + " only"}, not ${JSON.stringify(text)}`, {
        details: { field: name, placeholder: part.expr, part: part.slot, value: text },
      });
    }
    out += text;
  }
  const filled = value.some((p) => typeof p !== "string");
  if (filled && !isJid(out)) throw new GatewayError("INVALID_JID", `"${name}" is not a valid JID`, { details: { field: name, value: out } });
  return out;
}

function fitsSlot(slot: Exclude<Slot, "jid">, text: string): boolean {
  return slot === "bare" ? !text.includes("/") : fitsJidPart(slot, text);
}

function renderValue(value: Value, scope: TemplateScope): string {
  let out = "";
  for (const part of value) out += typeof part === "string" ? part : lookup(scope, part);
  return out;
}

function lookup(scope: TemplateScope, part: Placeholder): string {
  let v: unknown = scope;
  for (const key of part.path) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  if (v === undefined || v === null) return "";
  if (typeof v === "object") throw new GatewayError("BAD_REQUEST", `${part.expr} must be a string, number or boolean`, { details: { field: part.expr } });
  const s = String(v);
  if (!isXmlText(s)) throw new GatewayError("INVALID_XML_TEXT", undefined, { details: { field: part.expr } });
  return s;
}
