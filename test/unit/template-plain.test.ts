// A template that only prints fields renders without Liquid (src/templates/plain-program.ts): its
// output must be Liquid's, to the character, for any scope, or it must leave the render to Liquid.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createLiquid } from "../../src/templates/liquid.ts";
import { plainProgram, renderPlain } from "../../src/templates/plain-program.ts";

const liquid = createLiquid();
const byLiquid = (source: string, scope: object): string => liquid.parseAndRenderSync(source, scope);

describe("the plain form of a program", () => {
  test("literal text and printed fields", () => {
    expect(plainProgram("<b>{{ body.text }}</b> to {{params.user}}")).toEqual(["<b>", ["body", "text"], "</b> to ", ["params", "user"]]);
  });

  test.each([
    ["a tag", "{% if body.x %}x{% endif %}"],
    ["a filter", "{{ body.text | upcase }}"],
    ["a literal", "{{ 'x' }}"],
    ["a literal name", "{{ empty }}"],
    ["whitespace control", "a {{- body.text }}"],
    ["Liquid's computed size", "{{ body.items.size }}"],
    ["an index", "{{ body.items[0] }}"],
    ["a hyphenated name", "{{ body.x-y }}"],
  ])("none with %s", (_what, source) => {
    expect(plainProgram(source)).toBeUndefined();
  });
});

describe("a plain render", () => {
  const program = "<m>{{ body.text }}|{{ body.n }}|{{ params.user }}|{{ body.deep.er }}</m>";
  const parts = plainProgram(program) ?? [];

  test("prints strings, numbers and booleans as Liquid does", () => {
    const scope = { body: { text: "a < b & c", n: 4.5, deep: { er: true } }, params: { user: "bob" } };
    expect(renderPlain(parts, scope)).toBe(byLiquid(program, scope));
  });

  test.each([
    ["a missing field", { body: { text: "x", n: 1, deep: {} }, params: { user: "bob" } }],
    ["an object", { body: { text: { a: 1 }, n: 1, deep: { er: 1 } }, params: { user: "bob" } }],
    ["a list", { body: { text: ["a"], n: 1, deep: { er: 1 } }, params: { user: "bob" } }],
    ["null", { body: { text: null, n: 1, deep: { er: 1 } }, params: { user: "bob" } }],
    ["text XML cannot carry", { body: { text: "\u0000", n: 1, deep: { er: 1 } }, params: { user: "bob" } }],
    ["a field on the prototype only", { body: Object.create({ text: "x" }), params: { user: "bob" } }],
    ["an object with toLiquid", { body: { text: "x", n: 1, deep: { er: 1, toLiquid: () => ({ er: "y" }) } }, params: { user: "bob" } }],
  ])("leaves %s to Liquid", (_what, scope) => {
    expect(renderPlain(parts, scope)).toBeUndefined();
  });

  test("whatever the scope, a plain render is Liquid's output, or none", () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.string()),
    );
    const scope = fc.record({
      body: fc.record({ text: value, n: value, deep: fc.oneof(fc.record({ er: value }), value) }, { requiredKeys: [] }),
      params: fc.record({ user: value }),
    });
    fc.assert(
      fc.property(scope, (s) => {
        const plain = renderPlain(parts, s);
        if (plain === undefined) return;
        expect(plain).toBe(byLiquid(program, s));
      }),
      { numRuns: 500 },
    );
  });
});
