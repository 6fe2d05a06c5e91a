// Mutations of a recorded JSON payload for the fuzzers: any field replaced by any value, removed,
// or an array grown huge, at a place picked among the payload's first few hundred (bounded work).
import fc from "fast-check";
import { weirdString } from "./fuzz-inputs.ts";

/** How deep and how many places of a payload a mutation may pick from (bounded work per run). */
const MAX_DEPTH = 6;
const MAX_PLACES = 400;

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  weirdString(),
  fc.constantFrom(
    "<x/>",
    "{{ body.status }}",
    "{% endfor %}",
    "]]>",
    "\u0001",
    "javascript:alert(1)",
    "resolved",
    "firing",
    0,
    1,
    3,
    null,
    [],
    {},
  ),
);

type Json = unknown;
type Place = ReadonlyArray<string | number>;

/** Every place in the payload (bounded): a mutation picks one. */
function places(value: Json, at: Place = [], out: Place[] = []): Place[] {
  if (out.length >= MAX_PLACES || at.length > MAX_DEPTH) return out;
  if (at.length) out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => void places(v, [...at, i], out));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) places(v, [...at, k], out);
  return out;
}

/** A copy of `root` with the value at `place` changed by `change` (undefined removes it). */
function edit(root: Json, place: Place, change: (old: Json) => Json | undefined): Json {
  const [head, ...rest] = place;
  if (head === undefined) return change(root);
  const copy = (Array.isArray(root) ? [...(root as Json[])] : { ...(root as Record<string, Json>) }) as Record<string | number, Json>;
  const next = rest.length ? edit(copy[head], rest, change) : change(copy[head]);
  if (next === undefined) delete copy[head];
  else copy[head] = next;
  return copy;
}

export interface Change {
  pick: number;
  op: "set" | "delete" | "grow";
  value: unknown;
  n: number;
}

export const change: fc.Arbitrary<Change> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom("set" as const, "delete" as const, "grow" as const),
  value: anyValue,
  n: fc.integer({ min: 2, max: 2_000 }),
});

export function apply(payload: Json, c: Change): Json {
  const all = places(payload);
  const place = all[c.pick % Math.max(1, all.length)];
  if (!place) return payload;
  if (c.op === "delete") return edit(payload, place, () => undefined);
  if (c.op === "set") return edit(payload, place, () => c.value);
  return edit(payload, place, (old) =>
    Array.from({ length: c.n }, (_, i) => (Array.isArray(old) ? (old[i % Math.max(1, old.length)] ?? c.value) : old)),
  );
}
