/**
 * MQTT payload templates (a route's `publish.payload`, a bot command's `mqtt.payload`; issue 23).
 *
 * - A string is a text template: its output is the payload as UTF-8. A payload is bytes, not XML
 *   (MQTT 5 §3.3.3), so printed values are held to no XML rule; JSON built as text must print its
 *   values with `| json`, or a value with a quote in it adds keys of its own.
 * - A mapping or a list is JSON the gateway writes itself: keys are literal, every string leaf
 *   is a text template whose output becomes a JSON string (so no value can add keys or change
 *   the structure), numbers, booleans and null stay as written. A leaf that is exactly one
 *   `{{ expr }}` printing a number or a boolean gives that number or boolean (`"{{ body.level }}"`
 *   -> `42`); anything else a leaf prints stays a string.
 */
import { isRecord } from "../kit/bounded.ts";
import { createLiquid } from "./liquid.ts";

/** The engine of payload templates: printed values are text, with no XML rule. */
export const payloadLiquid = createLiquid((text) => text, { xml: false });

/** Where a leaf sits in the payload (keys and indexes), to place a diagnostic at it. */
export type LeafPath = ReadonlyArray<string | number>;

/** Compiles one string leaf into its renderer, or says (returns undefined) that it was refused. */
export type LeafCompiler<S, O> = (source: string, path: LeafPath) => ((scope: S, options: O) => string) | undefined;

type Part<S, O> = (scope: S, options: O) => unknown;

/**
 * `value` (a mapping or a list from routes.yaml) as a renderer of its JSON text; undefined when a
 * leaf was refused (every leaf is compiled, so each problem is reported at once).
 */
export function compileJsonPayload<S extends object, O>(
  value: unknown,
  leaf: LeafCompiler<S, O>,
): ((scope: S, options: O) => string) | undefined {
  const root = part(value, [], leaf);
  return root && ((scope, options) => JSON.stringify(root(scope, options)));
}

function part<S extends object, O>(value: unknown, path: LeafPath, leaf: LeafCompiler<S, O>): Part<S, O> | undefined {
  if (typeof value === "string") return stringLeaf(value, path, leaf);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => part(item, [...path, i], leaf));
    if (!items.every((item) => item !== undefined)) return undefined;
    return (scope, options) => items.map((item) => item(scope, options));
  }
  if (isRecord(value)) {
    const entries = Object.entries(value).map(([key, item]) => [key, part(item, [...path, key], leaf)] as const);
    if (!entries.every(([, item]) => item !== undefined)) return undefined;
    return (scope, options) => Object.fromEntries(entries.map(([key, item]) => [key, item?.(scope, options)]));
  }
  return () => value;
}

function stringLeaf<S extends object, O>(source: string, path: LeafPath, leaf: LeafCompiler<S, O>): Part<S, O> | undefined {
  const render = leaf(source, path);
  if (!render) return undefined;
  const expression = singleOutput(source);
  if (expression === undefined) return render;
  return (scope, options) => {
    // Rendered first: strict: and the value rules refuse what they refuse, as for any leaf.
    const text = render(scope, options);
    const value: unknown = payloadLiquid.evalValueSync(expression, scope);
    return (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean" ? value : text;
  };
}

/** The expression of a leaf that is exactly one `{{ expr }}`, or undefined. */
function singleOutput(source: string): string | undefined {
  const found = /^\{\{-?([\s\S]*?)-?\}\}$/.exec(source);
  const inner = found?.[1];
  if (inner === undefined || inner.includes("{{") || inner.includes("}}")) return undefined;
  return inner.trim();
}

/** What `check` says of a text payload that writes JSON and prints a value without `| json`. */
export const JSON_TEXT_WARNING =
  'this payload writes JSON as text and prints a value without | json: a value holding a quote adds keys of its own. Write payload: as a mapping (payload: { state: "{{ ... }}" }, JSON the gateway writes) or end each output with | json';

/**
 * The offset of the first output of a text payload that writes JSON (its text starts with `{` or
 * `[`) and does not end with `| json`, or undefined: a value printed there is not escaped.
 */
export function unescapedJsonOutput(source: string): number | undefined {
  if (!/^\s*(\[|\{(?![{%]))/.test(source)) return undefined;
  for (const output of source.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)) if (!/\|\s*json\s*$/.test(output[1] ?? "")) return output.index;
  return undefined;
}
