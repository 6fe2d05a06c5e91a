/**
 * The `body:` of a declarative route, compiled once into a TypeBox validator.
 *
 *   body:
 *     text: string                       # required string
 *     level: string?                     # optional
 *     room: { type: jid }                # a string that must be a JID
 *     tag: { type: string, required: false, max_length: 32, enum: [a, b], default: a }
 *     alerts:                            # nested: objects have fields, arrays have items
 *       type: array
 *       items: { type: object, additional_properties: true, fields: { status: string } }
 */
import { FormatRegistry, Type, type TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value, ValueErrorType, type ValueError } from "@sinclair/typebox/value";
import type { FieldSpec } from "./schema.ts";
import { GatewayError } from "../../plugin-api/errors.ts";
import { isJid } from "../../kit/jid.ts";

export interface BodyValidator {
  readonly fields: readonly string[];
  /** The JSON Schema of the body (for the OpenAPI description). */
  readonly schema: TSchema;
  /** Checks and returns the body with defaults filled; throws INVALID_BODY listing every problem. */
  parse(data: unknown): Record<string, unknown>;
}

/** A field as written: `type`, `type?` or the long form. */
type RawField = string | FieldSpec;
export type RawFields = Record<string, RawField>;

function normalizeField(raw: RawField): FieldSpec {
  if (typeof raw !== "string") return { ...raw, required: raw.required ?? true };
  const optional = raw.endsWith("?");
  return { type: (optional ? raw.slice(0, -1) : raw) as FieldSpec["type"], required: !optional };
}

export function compileBody(spec: RawFields, options: { additionalProperties?: boolean } = {}): BodyValidator {
  // TypeBox keeps formats in one registry; setting the same check again is harmless.
  if (!FormatRegistry.Has("jid")) FormatRegistry.Set("jid", isJid);
  const schema = objectSchema(spec, options.additionalProperties ?? false, {});
  const check = TypeCompiler.Compile(schema);
  return {
    fields: Object.keys(spec),
    schema,
    parse(data) {
      const value = converted(schema, Value.Default(schema, structuredClone(data ?? {})));
      // The compiled check first: TypeBox's error walk interprets the schema, and a valid body has no errors to list.
      if (check.Check(value)) return value;
      throw new GatewayError("INVALID_BODY", undefined, { details: { problems: problemsOf([...check.Errors(value)]) } });
    },
  };
}

function objectSchema(spec: RawFields, additionalProperties: boolean, opts: object): TSchema {
  const props = Object.entries(spec).map(([name, raw]) => {
    const f = normalizeField(raw);
    return [name, f.required && f.default === undefined ? fieldSchema(f) : Type.Optional(fieldSchema(f))] as const;
  });
  return Type.Object(Object.fromEntries(props), { ...opts, additionalProperties });
}

function fieldSchema(f: FieldSpec): TSchema {
  const opts = f.default !== undefined ? { default: f.default } : {};
  switch (f.type) {
    case "number":
      return Type.Number(opts);
    case "integer":
      return Type.Integer({ ...opts, minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
    case "boolean":
      return Type.Boolean(opts);
    case "any":
      return Type.Unknown(opts);
    case "object": {
      const fields = (f.fields ?? {}) as RawFields;
      return objectSchema(fields, f.additional_properties ?? f.fields === undefined, opts);
    }
    case "array": {
      const items = f.items === undefined ? Type.Unknown() : fieldSchema(normalizeField(f.items as RawField));
      return Type.Array(items, { ...opts, ...(f.max_items !== undefined ? { maxItems: f.max_items } : {}) });
    }
    default:
      if (f.enum)
        return Type.Union(
          f.enum.map((v) => Type.Literal(v)),
          opts,
        );
      return Type.String({
        ...opts,
        ...(f.type === "jid" ? { format: "jid" } : {}),
        ...(f.max_length !== undefined ? { maxLength: f.max_length } : {}),
        ...(f.pattern ? { pattern: f.pattern } : {}),
      });
  }
}

/** A decimal number as JSON writes it: what a form field must hold to become a number. */
const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Form fields are all strings: "3" becomes 3 where a top-level field is a number or a boolean.
 * Nothing else is converted (TypeBox would turn a JSON string into a one-item array, and "1.5"
 * into the integer 1): a string that is not a number stays a string, and is refused as one.
 */
function converted(schema: TSchema, data: unknown): Record<string, unknown> {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return data as Record<string, unknown>;
  const props = (schema.properties ?? {}) as Record<string, TSchema>;
  const out: Record<string, unknown> = { ...data };
  for (const [name, v] of Object.entries(out)) {
    const type = props[name]?.type;
    if (typeof v !== "string") continue;
    if ((type === "number" || type === "integer") && DECIMAL.test(v)) out[name] = Number(v);
    else if (type === "boolean") out[name] = Value.Convert(props[name] as TSchema, v);
  }
  return out;
}

/**
 * One problem per field and cause. TypeBox reports a missing field twice (required, then its
 * type) and a JID both as a string and by its format; the caller needs each once.
 */
function problemsOf(errors: ValueError[]): Array<{ field: string; problem: string }> {
  const missing = new Set(errors.filter((e) => e.type === ValueErrorType.ObjectRequiredProperty).map((e) => e.path));
  const seen = new Map<string, { field: string; problem: string }>();
  for (const e of errors) {
    if (missing.has(e.path) && e.type !== ValueErrorType.ObjectRequiredProperty) continue;
    const p = { field: fieldPath(e.path), problem: describe(e) };
    seen.set(`${p.field}\u0000${p.problem}`, p);
  }
  return [...seen.values()];
}

function describe(e: ValueError): string {
  if (e.type === ValueErrorType.ObjectRequiredProperty) return "required";
  if (e.schema.format === "jid") return "Expected a JID";
  if (e.type === ValueErrorType.Union && Array.isArray(e.schema.anyOf)) {
    return `Expected one of: ${(e.schema.anyOf as TSchema[]).map((t) => JSON.stringify(t.const)).join(", ")}`;
  }
  // JSON numbers are doubles: past 2^53 an integer has already lost digits (1.2345678901234568e+29).
  if (e.schema.type === "integer" && (e.type === ValueErrorType.IntegerMaximum || e.type === ValueErrorType.IntegerMinimum)) {
    return `Expected an integer between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (2^53-1): a larger one loses digits`;
  }
  return e.message;
}

/** `/alerts/0/labels` -> `alerts[0].labels`, as a template would read it. */
function fieldPath(pointer: string): string {
  if (!pointer) return "(body)";
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), "");
}
