// Which regular expressions routes.yaml may hold: a pattern that can take exponential time on
// hostile input is refused (a bot's `match:`, a body field's `pattern`); ordinary ones, including
// the safe rewrites the refusal suggests, pass.
import { describe, expect, test } from "bun:test";
import { analyse } from "scslre";
import { explosiveRegex } from "../../src/config/regex-risk.ts";

describe("a pattern that can take exponential time is refused, naming the part to rewrite", () => {
  test.each([
    ["^(a+)+$", "`(a+)+`", "`a+`"],
    ["^(\\d+\\.?)+$", "`(\\d+\\.?)+`", "`\\d+`"],
    ["^(\\w*\\s?)*$", "`(\\w*\\s?)*`", "`\\w*`"],
    ["^temp (?<room>(\\w+\\s?)+)$", "`(\\w+\\s?)+`", "`\\w+`"],
  ])("%s", (source, group, inner) => {
    const why = explosiveRegex(source, "u");
    expect(why).toContain(`${group} can take exponential time on hostile input`);
    expect(why).toContain(`${inner} inside the repeated group`);
  });

  test("two quantifiers trading the same characters under a repetition: (\\s*,\\s*)*x", () => {
    expect(explosiveRegex("(\\s*,\\s*)*x")).toContain("`\\s*` and `\\s*` can trade those characters");
  });

  test("a backreference", () => {
    expect(explosiveRegex("^(\\w)\\1$")).toContain("backreferences are not allowed");
    expect(explosiveRegex("^(?<c>\\w)\\k<c>$", "u")).toContain("backreferences are not allowed");
  });
});

describe("ordinary patterns pass", () => {
  test.each([
    "^\\d+(\\.\\d+)*$",
    "^[a-z]+(-[a-z]+)*$",
    "^temp (?<room>\\w+)$",
    "^(?<cmd>status|help)$",
    "^v(\\d+)\\.(\\d+)$",
    "^[^@]+@[^@]+$",
    // Polynomial on a run of spaces, cheap on the bounded input patterns run on.
    "^\\s*(?<a>\\w+)\\s+(?<b>.*)$",
  ])("%s", (source) => {
    expect(explosiveRegex(source, "u")).toBeUndefined();
  });
});

describe("patterns without a repeated group are cleared without the analysis", () => {
  // The shortcut (no group carries a quantifier) must clear only what scslre itself clears:
  // compared on generated patterns of atoms, classes, escapes, groups, alternations and quantifiers.
  test("every generated pattern gets the same verdict as scslre's own analysis", () => {
    const atoms = ["a", "\\d", "\\w", "\\s", ".", "[ab]", "[^a]", "\\)", "[)]", "[\\])]", "x", " "];
    const quantifiers = ["", "", "*", "+", "?", "{2,}", "{1,3}", "*?"];
    let seed = 20251207;
    const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) % xs.length] as T;
    const pattern = (depth: number): string =>
      [1, 2, 3]
        .slice(0, pick([1, 2, 3]))
        .map(() => {
          const group = depth < 2 && pick([true, false, false]);
          const inner = group ? `${pick(["(", "(?:"])}${pattern(depth + 1)}${pick(["", `|${pattern(depth + 1)}`])})` : pick(atoms);
          return inner + pick(quantifiers);
        })
        .join("");
    const exponential = (source: string) =>
      analyse({ source, flags: "u" }, { reportTypes: { Move: false } }).reports.some((r) => r.exponential);
    let cleared = 0;
    for (let i = 0; i < 2_000; i++) {
      const source = pattern(0);
      if (!/\)[*+?{]/.test(source)) cleared++;
      expect([source, explosiveRegex(source, "u") !== undefined]).toEqual([source, exponential(source)]);
    }
    expect(cleared).toBeGreaterThan(500);
  });
});
