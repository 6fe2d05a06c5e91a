/**
 * Stanza templates: XML with Liquid in it, compiled once when routes.yaml loads.
 *
 * Why input can never become markup: the template's XML is parsed BEFORE anything is rendered,
 * with each Liquid tag and output set aside as an opaque marker. From that element tree we build
 * one Liquid program in which every element boundary is a control character (U+0001-U+0004) that
 * XML cannot carry, so no value can contain one: template.ts refuses them in the source, the
 * request scope is refused when it holds one (scope.ts), and every printed value passes through
 * `outputEscape` (liquid.ts). Liquid renders that program; template-build.ts turns the boundaries
 * back into the elements of the template, and everything between them into text or attribute
 * values, escaped by the serializer. So a `{% for %}` around an element repeats that element of
 * the template, while a value (whatever it holds: `<`, `{{`, `]]>`) is only ever text.
 *
 * A block tag must open and close within one element's children (or one attribute value), which
 * is checked here: the rendered boundaries then always nest.
 */
import { parse, type Element } from "ltx";
import { Tokenizer, TypeGuards, type Template, type TopLevelToken } from "liquidjs";
import { createLiquid } from "./liquid.ts";
import { buildStanzas, MARK, type ElementDef } from "./template-build.ts";
import { liquidFailure, referencesOf, problemOf, type Reference, type TemplateProblem } from "./template-check.ts";
import { checkScopeText, type TemplateScope } from "./scope.ts";
import { plainProgram, renderPlain } from "./plain-program.ts";

export type { TemplateScope } from "./scope.ts";
export type { TemplateProblem, Reference } from "./template-check.ts";

const liquid = createLiquid();

/** Attributes that carry addresses: a value rendered from input must be a valid JID. */
const JID_ATTRIBUTES = new Set(["to", "from", "jid"]);
const STANZA_NAMES = new Set(["message", "presence", "iq"]);
const FORBIDDEN_SOURCE = /[\u0001-\u0008\ue000\ue001]/;
const TOKEN_MARK = /\ue000(\d+)\ue001/g;

export interface RenderOptions {
  /** Reading a field the payload lacks is 400 MISSING_FIELD instead of empty text. */
  strict?: boolean;
}

export interface CompiledTemplate {
  /** Every variable read from the request (root first), where it is in the source. */
  readonly references: readonly Reference[];
  /** All the stanzas a request produces: zero, one or many. */
  renderAll(scope: TemplateScope, options?: RenderOptions): Element[];
  /** The one stanza a single-stanza template produces. */
  render(scope: TemplateScope, options?: RenderOptions): Element;
}

/** A template that cannot compile; `problems` holds every problem found, this one first. */
export class TemplateError extends Error {
  readonly problems: readonly TemplateProblem[];
  constructor(
    message: string,
    readonly offset = 0,
    more: readonly TemplateProblem[] = [],
  ) {
    super(message);
    this.name = "TemplateError";
    this.problems = [{ message, offset }, ...more];
  }
}

interface Compiling {
  tokens: TopLevelToken[];
  defs: ElementDef[];
  placeholders: string[];
  problems: TemplateProblem[];
}

/** `roots`: the names the template may read (a bot's templates read their own, bots/stanza-template.ts). */
export function compileTemplate(source: string, roots?: readonly string[]): CompiledTemplate {
  const forbidden = source.search(FORBIDDEN_SOURCE);
  if (forbidden !== -1) throw new TemplateError("the template holds a control character XML cannot carry", forbidden);
  let tokens: TopLevelToken[];
  let references: Reference[];
  try {
    tokens = new Tokenizer(source).readTopLevelTokens();
    references = referencesOf(liquid, liquid.parse(source), source, roots);
  } catch (err) {
    const p = problemOf(err);
    throw new TemplateError(p.message, p.offset);
  }
  const c: Compiling = { tokens, defs: [], placeholders: [], problems: [] };
  const inName = source.search(/<\/?\s*\{[{%]/);
  if (inName !== -1) c.problems.push({ message: "a Liquid tag or placeholder cannot be an element name", offset: inName });
  for (const r of references) if (r.problem) c.problems.push({ message: r.problem, offset: r.offset });
  const program = compileProgram(markTokens(source, tokens), c);
  const [first, ...more] = c.problems;
  if (first || program === undefined) throw new TemplateError(first?.message ?? "no element", first?.offset, more);
  return compiled(program, c, references);
}

function compiled({ text, templates }: Program, c: Compiling, references: Reference[]): CompiledTemplate {
  const plain = plainProgram(text);
  const renderAll = (scope: TemplateScope, options: RenderOptions = {}): Element[] => {
    checkScopeText(scope);
    const output = (plain && renderPlain(plain, scope)) ?? renderLiquid(templates, scope, options);
    return buildStanzas(output, c.defs, c.placeholders);
  };
  return {
    references,
    renderAll,
    render(scope, options) {
      const all = renderAll(scope, options);
      if (all.length !== 1 || !all[0]) throw new Error(`the template produced ${all.length} stanzas where one was expected`);
      return all[0];
    },
  };
}

function renderLiquid(templates: Template[], scope: TemplateScope, options: RenderOptions): string {
  try {
    return liquid.renderSync(templates, scope, { strictVariables: options.strict ?? false });
  } catch (err) {
    throw liquidFailure(err);
  }
}

/** The Liquid program of a template: its text (the plain form is read from it) and its parse. */
interface Program {
  text: string;
  templates: Template[];
}

/** Each Liquid token becomes a marker the XML parser reads as text; the rest stays as written. */
function markTokens(source: string, tokens: TopLevelToken[]): string {
  return tokens.map((t, i) => (TypeGuards.isHTMLToken(t) ? source.slice(t.begin, t.end) : `\ue000${i}\ue001`)).join("");
}

function compileProgram(marked: string, c: Compiling): Program | undefined {
  let wrapper: Element;
  try {
    wrapper = parse(`<t>${marked}</t>`);
  } catch (err) {
    c.problems.push({ message: `not well-formed XML: ${(err as Error).message}`, offset: 0 });
    return undefined;
  }
  const elements = wrapper.children.filter((x): x is Element => typeof x !== "string");
  if (elements.length !== 1)
    c.problems.push({ message: "a template must be exactly one element (send: takes a list for several)", offset: 0 });
  const root = elements[0];
  if (root && !STANZA_NAMES.has(root.name))
    c.problems.push({ message: `the root element must be <message>, <presence> or <iq>, not <${root.name}>`, offset: 0 });
  const top = children(wrapper, c, true);
  if (c.problems.length) return undefined;
  try {
    return { text: top, templates: liquid.parse(top) };
  } catch (err) {
    c.problems.push(problemOf(err));
    return undefined;
  }
}

function element(el: Element, c: Compiling): string {
  if (/\ue000/.test(el.name)) c.problems.push({ message: "a Liquid tag or placeholder cannot be an element name", offset: 0 });
  const def: ElementDef = { name: el.name, attrs: [] };
  const index = c.defs.push(def) - 1;
  let out = `${MARK.OPEN}${index}${MARK.NAME_END}`;
  for (const [name, value] of Object.entries(el.attrs)) {
    if (/\ue000/.test(name)) c.problems.push({ message: "a Liquid tag or placeholder cannot be an attribute name", offset: 0 });
    if (typeof value !== "string") continue;
    const address = JID_ATTRIBUTES.has(name);
    def.attrs.push({ name, address });
    const restored = restore(value, c, address);
    checkBalanced(value, c, `the value of ${name}="…"`);
    out += restored + MARK.ATTR_END;
  }
  return out + children(el, c, false) + MARK.CLOSE;
}

/**
 * An element's children as program text. Text that is only whitespace and Liquid tags (the
 * indentation of a YAML block) keeps its tags and loses its whitespace; other text is kept whole.
 */
function children(el: Element, c: Compiling, top: boolean): string {
  const tags: string[] = [];
  let out = "";
  for (const child of el.children) {
    if (typeof child !== "string") {
      out += element(child, c);
      continue;
    }
    const structural = !/\S/.test(child.replace(TOKEN_MARK, (_m, i: string) => (isTag(c.tokens[Number(i)]) ? "" : "x")));
    for (const [, i] of child.matchAll(TOKEN_MARK)) if (isTag(c.tokens[Number(i)])) tags.push(i as string);
    if (top && !structural)
      c.problems.push({ message: "text outside the stanza element: only Liquid tags may surround it", offset: firstOffset(child, c) });
    out += structural
      ? child.replace(/\s+/g, "").replace(TOKEN_MARK, (_m, i: string) => c.tokens[Number(i)]?.getText() ?? "")
      : restore(child, c, false);
  }
  checkBalanced(tags.map((i) => `\ue000${i}\ue001`).join(""), c, top ? "the top level" : `<${el.name}>`);
  return out;
}

/** Text with its markers turned back into Liquid; in an address, each output is tagged for the JID checks. */
function restore(text: string, c: Compiling, address: boolean): string {
  const literal = text.replace(TOKEN_MARK, "");
  const delimiter = literal.search(/\{\{|\{%/);
  if (delimiter !== -1)
    c.problems.push({ message: "an escaped {{ or {% would become Liquid: write it inside {% raw %}…{% endraw %}", offset: 0 });
  return text.replace(TOKEN_MARK, (_m, i: string) => {
    const token = c.tokens[Number(i)];
    const source = token?.getText() ?? "";
    if (!address || isTag(token)) return source;
    const k = c.placeholders.push(source.replace(/^\{\{-?\s*|\s*-?\}\}$/g, "")) - 1;
    return `${MARK.DYN_START}${k}${MARK.DYN_MID}${source}${MARK.DYN_END}`;
  });
}

/** A block tag must close where it opened, so the boundaries of the rendered elements nest. */
function checkBalanced(text: string, c: Compiling, where: string): void {
  const tags = [...text.matchAll(TOKEN_MARK)].map((m) => c.tokens[Number(m[1])]).filter(isTag);
  if (!tags.length) return;
  try {
    liquid.parse(tags.map((t) => t.getText()).join(""));
  } catch (err) {
    const offset = tags[0]?.begin ?? 0;
    c.problems.push({ message: `Liquid tags must open and close within ${where}: ${problemOf(err).message}`, offset });
  }
}

function isTag(token: TopLevelToken | undefined): token is TopLevelToken {
  return token !== undefined && TypeGuards.isTagToken(token);
}

function firstOffset(text: string, c: Compiling): number {
  const m = /\ue000(\d+)\ue001/.exec(text);
  return m ? (c.tokens[Number(m[1])]?.begin ?? 0) : 0;
}
