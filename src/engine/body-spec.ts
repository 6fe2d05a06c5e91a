/**
 * The `body:` of a declarative route, compiled once into a TypeBox validator.
 *
 *   body:
 *     text: string                       # required string
 *     level: string?                     # optional
 *     room: { type: jid }                # a string that must be a JID
 *     tag: { type: string, required: false, max_length: 32, enum: [a, b], default: a }
 */
import { Type, type TSchema, type TObject } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import type { DeclarativeRoute, FieldSpec } from "../config/route-schema.ts";
import { GatewayError } from "../errors.ts";
import { isJid } from "../plugin-api/jid.ts";

export interface BodyValidator {
  readonly fields: readonly string[];
  /** The JSON Schema of the body (for the OpenAPI description). */
  readonly schema: TSchema;
  /** Checks and returns the body with defaults filled; throws INVALID_BODY listing every problem. */
  parse(data: unknown): Record<string, unknown>;
}

type RawField = NonNullable<DeclarativeRoute["body"]>[string];

export function normalizeField(raw: RawField): FieldSpec {
  if (typeof raw !== "string") return { ...raw, required: raw.required ?? true };
  const optional = raw.endsWith("?");
  return { type: (optional ? raw.slice(0, -1) : raw) as FieldSpec["type"], required: !optional };
}

export function compileBody(spec: NonNullable<DeclarativeRoute["body"]>): BodyValidator {
  const fields = Object.entries(spec).map(([name, raw]) => [name, normalizeField(raw)] as const);
  const schema: TObject = Type.Object(
    Object.fromEntries(fields.map(([name, f]) => [name, f.required && f.default === undefined ? fieldSchema(f) : Type.Optional(fieldSchema(f))])),
    { additionalProperties: false },
  );
  const check = TypeCompiler.Compile(schema);
  const jidFields = fields.filter(([, f]) => f.type === "jid").map(([name]) => name);
  return {
    fields: fields.map(([name]) => name),
    schema,
    parse(data) {
      // Form fields are all strings: Convert turns "3" into 3 where the field is a number.
      const value = Value.Convert(schema, Value.Default(schema, structuredClone(data ?? {}))) as Record<string, unknown>;
      const problems = [...check.Errors(value)].map((e) => ({ field: e.path.slice(1) || "(body)", problem: e.message }));
      for (const name of jidFields) {
        const v = value[name];
        if (typeof v === "string" && !isJid(v)) problems.push({ field: name, problem: "Expected a JID" });
      }
      if (problems.length) throw new GatewayError("INVALID_BODY", undefined, { details: { problems } });
      return value;
    },
  };
}

function fieldSchema(f: FieldSpec): TSchema {
  const opts = f.default !== undefined ? { default: f.default } : {};
  switch (f.type) {
    case "number":
      return Type.Number(opts);
    case "integer":
      return Type.Integer(opts);
    case "boolean":
      return Type.Boolean(opts);
    default:
      if (f.enum) return Type.Union(f.enum.map((v) => Type.Literal(v)), opts);
      return Type.String({ ...opts, ...(f.max_length !== undefined ? { maxLength: f.max_length } : {}), ...(f.pattern ? { pattern: f.pattern } : {}) });
  }
}
