/** One value against one TypeBox schema, every error located in the YAML and put in words. */
import { Value } from "@sinclair/typebox/value";
import type { Static, TSchema } from "@sinclair/typebox";
import { pointerToPath, type Diagnostic, type PathSegments, type SourceLocator } from "./diagnostics.ts";
import { didYouMean, suggest } from "./suggest.ts";

/** Validates `value` against `schema` after filling defaults; records every error. */
export function checkSchema<S extends TSchema>(
  schema: S,
  value: unknown,
  at: PathSegments,
  locate: SourceLocator,
  out: Diagnostic[],
): Static<S> | undefined {
  const filled = Value.Default(schema, structuredClone(value));
  const errors = [...Value.Errors(schema, filled)];
  // A union reports each failed alternative; the first error per path is the useful one.
  const seen = new Set<string>();
  for (const e of errors) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    const path = [...at, ...pointerToPath(e.path)];
    out.push(locate.at(path, describe(e.message, e.value, e.path, e.schema), { key: e.message === "Unexpected property" }));
  }
  return errors.length ? undefined : (filled as Static<S>);
}

function describe(message: string, found: unknown, pointer: string, schema: TSchema): string {
  if (message === "Unexpected property") {
    const key = pointerToPath(pointer).at(-1);
    const parent = schema.properties ? Object.keys(schema.properties as object) : [];
    const hint = suggest(String(key), parent);
    return `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}`;
  }
  if (message === "Expected required property") return "required key missing";
  let hint = "";
  if (schema.anyOf) {
    const options = schema.anyOf as TSchema[];
    message = `expected ${alternatives(options)}`;
    const words = options.flatMap((o) => (typeof o.const === "string" ? [o.const] : []));
    if (typeof found === "string" && words.length === options.length) hint = didYouMean(found, words);
  }
  if (found === undefined) return `${lower(message)}, found nothing (required)`;
  return `${lower(message)}, found ${JSON.stringify(found)}${hint}`;
}

/** A union's alternatives in words: `"a", "b" or an object`. */
function alternatives(options: TSchema[]): string {
  const words = options.map((o) =>
    o.const !== undefined ? JSON.stringify(o.const) : `${/^[aeiou]/.test(String(o.type)) ? "an" : "a"} ${o.type}`,
  );
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words.at(-1)}` : (words[0] ?? "something else");
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
