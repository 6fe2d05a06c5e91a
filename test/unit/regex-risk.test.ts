// Which regular expressions routes.yaml may hold: a pattern that can take exponential time on
// hostile input is refused (a bot's `match:`, a body field's `pattern`); ordinary ones, including
// the safe rewrites the refusal suggests, pass.
import { describe, expect, test } from "bun:test";
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
