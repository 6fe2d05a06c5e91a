/**
 * Regular expressions from routes.yaml whose matching time can explode on hostile input. Bun runs
 * them on JavaScriptCore's backtracking engine, which has no time bound one can set (it only gives
 * up past its own backtracking limit, about 0.7 s of CPU, as no match), and the text they run on
 * comes from strangers: a bot's chat body, an HTTP body field. Such patterns are refused at load,
 * wherever routes.yaml holds one.
 *
 * The analysis is scslre's (the engine of eslint-plugin-regexp's no-super-linear-backtracking):
 * it finds a quantifier that can split a run of one repeated character in exponentially many
 * ways, so `(\d+\.?)+` is refused while `\d+(\.\d+)*` passes. It is not a proof (overlapping
 * alternatives such as `(\w|\d)+` escape it), which is why the input a pattern runs on stays
 * bounded too. Polynomial cases (`\s*(\w+)\s+(.*)`) are left alone: on bounded input they are
 * cheap, and refusing them would refuse ordinary patterns.
 */
import type { Report } from "scslre";

/**
 * scslre (with refa's Unicode tables) costs about 5 MB of resident memory once loaded: it is
 * required on the first pattern that repeats a group (repeatsGroup), so a routes.yaml without
 * any pays nothing.
 */
let scslre: typeof import("scslre") | undefined;
const analyse: typeof import("scslre").analyse = (...args) => (scslre ??= require("scslre") as typeof import("scslre")).analyse(...args);

const BACKREFERENCE = /\\[1-9]|\\k</;

/**
 * Why `source` (already known to compile with `flags`) can take exponential time, as a
 * diagnostic's text, or undefined.
 */
export function explosiveRegex(source: string, flags = ""): string | undefined {
  if (BACKREFERENCE.test(source)) return "backreferences are not allowed (they can take exponential time on hostile input)";
  if (!repeatsGroup(source, flags)) return undefined;
  const report = analyse({ source, flags }, { reportTypes: { Move: false } }).reports.find((r) => r.exponential);
  return report && describe(report);
}

/**
 * Whether a group (or lookaround) of `source` carries a quantifier. Exponential time needs one:
 * both of scslre's exponential reports (Self, Trade) are quantifiers inside a repeated group, and
 * a quantifier on a single character or class holds no other. So a pattern without one (`^ping$`,
 * `^temp (?<room>\w+)$`: most bot commands) is cleared without loading scslre, whose Unicode
 * tables then stay out of memory (about 5 MB of idle RSS with a bot). Conservative: any `)`
 * followed by `*`, `+`, `?` or `{`, and any `v`-flag pattern (nested classes), is analysed.
 */
function repeatsGroup(source: string, flags: string): boolean {
  if (flags.includes("v")) return true;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === ")" && "*+?{".includes(source[i + 1] ?? "_")) return true;
  }
  return false;
}

function describe(report: Report): string {
  const run = `a long run of ${JSON.stringify(report.character.pick)}`;
  if (report.type === "Self") {
    return `\`${report.parentQuant.raw}\` can take exponential time on hostile input (${run}): \`${report.quant.raw}\` inside the repeated group can split it in many ways; rewrite it so that each repetition starts with a separator (\`\\d+(\\.\\d+)*\`, not \`(\\d+\\.?)+\`)`;
  }
  if (report.type === "Trade") {
    return `can take exponential time on hostile input (${run}): \`${report.startQuant.raw}\` and \`${report.endQuant.raw}\` can trade those characters inside a repetition; rewrite it so that only one of them can match them`;
  }
  return `can take exponential time on hostile input (${run})`;
}
