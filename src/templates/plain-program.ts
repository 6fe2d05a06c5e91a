/**
 * Most stanza templates only print fields: `<body>{{ body.text }}</body>`, no tag, no filter. Their
 * program (template.ts) renders here by reading the fields and joining the text, with Liquid's
 * answer for every value it prints. Liquid's renderer (its generators and output stack, built per
 * request) was an eighth of a declarative message's profile; without it, the gateway's CPU per
 * declarative message is 0.78-0.84 of what it was (issue 24, bench/probes/builds.ts, 2 x 6 rounds).
 *
 * Liquid stays the meaning: a program with anything else (a tag, a filter, a literal, whitespace
 * control, `size`/`first`/`last`) has no plain form, and a value whose printing is not simply its
 * text (missing, an object or list, a function, text XML cannot carry, anything not a plain
 * object along the way) sends the whole render to Liquid, which then prints, refuses or reports
 * it as always (strict mode's MISSING_FIELD included).
 */
import { Tokenizer, TypeGuards } from "liquidjs";
import { isXmlText } from "../kit/xml-text.ts";

/** Literal text, or the property path of one printed field (`body.text` -> ["body", "text"]). */
export type PlainPart = string | readonly string[];

/** A path of plain names: no index, no quoted key, no hyphen (Liquid reads those in its own ways). */
const FIELD_PATH = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;
/** Names Liquid reads as literals (roots) or computes (`size`, `first`, `last`), never as fields. */
const NOT_FIELDS = new Set(["true", "false", "nil", "null", "empty", "blank", "size", "first", "last"]);

/** The plain form of a Liquid program, or undefined when it has none. */
export function plainProgram(source: string): PlainPart[] | undefined {
  const parts: PlainPart[] = [];
  for (const token of new Tokenizer(source).readTopLevelTokens()) {
    if (TypeGuards.isHTMLToken(token)) {
      parts.push(token.getContent());
      continue;
    }
    if (!TypeGuards.isOutputToken(token) || token.trimLeft || token.trimRight) return undefined;
    const path = token.content;
    if (!FIELD_PATH.test(path)) return undefined;
    const names = path.split(".");
    if (names.some((name) => NOT_FIELDS.has(name))) return undefined;
    parts.push(names);
  }
  return parts;
}

/** The program's output for `scope`, or undefined when a value needs Liquid to print it. */
export function renderPlain(parts: readonly PlainPart[], scope: object): string | undefined {
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    const value = fieldOf(scope, part);
    if (typeof value === "string" && isXmlText(value)) out += value;
    else if (typeof value === "number" || typeof value === "boolean") out += String(value);
    else return undefined;
  }
  return out;
}

/** Liquid's `ownPropertyOnly` read, through plain objects only (no Drop, no toLiquid, no array). */
function fieldOf(scope: object, path: readonly string[]): unknown {
  let value: unknown = scope;
  for (const name of path) {
    if (typeof value !== "object" || value === null) return undefined;
    const prototype = Object.getPrototypeOf(value);
    if ((prototype !== Object.prototype && prototype !== null) || "toLiquid" in value) return undefined;
    if (!Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}
