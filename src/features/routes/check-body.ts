/**
 * The `body:` of a declarative route, field by field: each field's mistakes are reported on their
 * own (a misspelt type, an unknown key, a regular expression that does not compile), so one bad
 * field never hides another, and nothing reaches the validator compiler that could make it throw.
 */
import { isRecord } from "../../kit/bounded.ts";
import type { TLiteral } from "@sinclair/typebox";
import { compileBody, type BodyValidator, type RawFields } from "./body-spec.ts";
import { FieldSchema, FieldTypeSchema } from "./schema.ts";
import { checkSchema } from "../../config/check-schema.ts";
import { explosiveRegex } from "../../config/regex-risk.ts";
import type { Diagnostic, PathSegments, SourceLocator } from "../../config/diagnostics.ts";
import { didYouMean as hint } from "../../config/suggest.ts";

const FIELD_TYPES = (FieldTypeSchema.anyOf as TLiteral[]).map((t) => String(t.const));
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `body: any` is valid and checks nothing: the result is then `null` (no validator). */
export function checkBody(
  raw: unknown,
  at: PathSegments,
  locate: SourceLocator,
  out: Diagnostic[],
  additionalProperties = false,
): BodyValidator | null | undefined {
  if (raw === "any") return null;
  const before = out.length;
  checkFields(raw, at, locate, out);
  if (out.length !== before) return undefined;
  return compileBody(raw as RawFields, { additionalProperties });
}

function checkFields(raw: unknown, at: PathSegments, locate: SourceLocator, out: Diagnostic[]): void {
  if (!isRecord(raw)) {
    out.push(locate.at(at, `expected the fields as name: type (or body: any), found ${JSON.stringify(raw)}`));
    return;
  }
  for (const [name, spec] of Object.entries(raw)) checkField(name, spec, [...at, name], locate, out);
}

function checkField(name: string | undefined, spec: unknown, at: PathSegments, locate: SourceLocator, out: Diagnostic[]): void {
  if (name !== undefined && !FIELD_NAME.test(name))
    out.push(locate.at(at, `"${name}" cannot be a field name: letters, digits and _, not starting with a digit`, { key: true }));
  if (typeof spec === "string") {
    const type = spec.endsWith("?") ? spec.slice(0, -1) : spec;
    if (!FIELD_TYPES.includes(type))
      out.push(
        locate.at(at, `unknown field type "${type}"${hint(type, FIELD_TYPES)} (known: ${FIELD_TYPES.join(", ")}; add ? for optional)`),
      );
    return;
  }
  if (!isRecord(spec)) {
    out.push(locate.at(at, `expected a type (such as string or string?) or { type: ..., ... }, found ${JSON.stringify(spec)}`));
    return;
  }
  checkSchema(FieldSchema, spec, at, locate, out);
  if (typeof spec.pattern === "string") checkPattern(spec.pattern, [...at, "pattern"], locate, out);
  if (spec.fields !== undefined) checkFields(spec.fields, [...at, "fields"], locate, out);
  if (spec.items !== undefined) checkField(undefined, spec.items, [...at, "items"], locate, out);
  const misplaced =
    spec.type === "object"
      ? ["items", "max_items"]
      : spec.type === "array"
        ? ["fields", "additional_properties"]
        : ["fields", "items", "additional_properties", "max_items"];
  for (const key of misplaced)
    if (key in spec) out.push(locate.at([...at, key], `${key} does not apply to type ${String(spec.type)}`, { key: true }));
}

/**
 * The validator compiles `pattern` as `new RegExp(pattern)` (no flags): the same test here. It
 * runs on request bodies, so a pattern that can explode is refused as a bot's `match:` is.
 */
function checkPattern(pattern: string, at: PathSegments, locate: SourceLocator, out: Diagnostic[]): void {
  try {
    new RegExp(pattern);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, "") : String(err);
    out.push(locate.at(at, `not a valid regular expression: ${reason}`));
    return;
  }
  const risk = explosiveRegex(pattern);
  if (risk !== undefined) out.push(locate.at(at, risk));
}
