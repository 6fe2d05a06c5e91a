/**
 * A command's `match:`. The body is refused above `max_input_chars` before any pattern runs, and
 * patterns whose cost can explode are refused at load (config/regex-risk.ts): JavaScriptCore's
 * backtracking engine has no time bound one can set.
 */
import { explosiveRegex } from "../../config/regex-risk.ts";

export interface CommandPattern {
  /** The named groups of the match, or undefined when the body does not match. */
  exec(body: string): Record<string, string> | undefined;
  /** Named groups, in order: the fields of the command. */
  readonly groups: readonly string[];
  /** `temp <room>`: the pattern made readable for help. */
  readonly usage: string;
  /** Whether `value` is what the named group `group` could capture (an ad-hoc form's field). */
  fits(group: string, value: string): boolean;
}

/** Throws an Error whose message says what is wrong with `source`. */
export function compilePattern(source: string): CommandPattern {
  const regex = new RegExp(source, "u");
  const risk = explosiveRegex(source, "u");
  if (risk !== undefined) throw new Error(risk);
  const groups = [...source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1] as string);
  const { usage, inner } = parse(source);
  const whole = new Map(Object.entries(inner).map(([g, sub]) => [g, new RegExp(`^(?:${sub})$`, "u")]));
  return {
    groups,
    usage,
    fits: (group, value) => whole.get(group)?.test(value) ?? false,
    exec(body) {
      const m = regex.exec(body);
      if (!m) return undefined;
      return Object.fromEntries(groups.map((g) => [g, m.groups?.[g] ?? ""]));
    },
  };
}

/**
 * `^temp (?<room>\w+)$` -> usage `temp <room>` and inner { room: "\w+" }. Unnamed groups and
 * classes are left as written; a named group inside a named group stays in its parent's text.
 */
function parse(source: string): { usage: string; inner: Record<string, string> } {
  let depth = 0;
  let out = "";
  let current: { name: string; text: string } | undefined;
  const inner: Record<string, string> = {};
  for (const part of source.replace(/^\^|\$$/g, "").split(/(\\.|\(\?<[A-Za-z_$][\w$]*>|\(|\))/)) {
    const named = /^\(\?<([A-Za-z_$][\w$]*)>$/.exec(part);
    if (named?.[1] && depth === 0) {
      out += `<${named[1]}>`;
      current = { name: named[1], text: "" };
      depth = 1;
      continue;
    }
    if (depth === 0) {
      out += part;
      continue;
    }
    depth += part === "(" || part.startsWith("(?<") ? 1 : part === ")" ? -1 : 0;
    if (current && depth === 0) inner[current.name] = current.text;
    else if (current) current.text += part;
  }
  return {
    usage: out
      .replace(/\\s[+*]?/g, " ")
      .replace(/\\(.)/g, "$1")
      .trim(),
    inner,
  };
}
