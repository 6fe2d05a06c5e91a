/**
 * `respond:` of an iq route: the JSON body answered on success, written as YAML of the shape
 * wanted, where strings hold `{{ expr }}` placeholders. A string that is exactly one placeholder
 * gives the value itself (a string, a list, an object, or null when absent); a placeholder inside
 * other text is rendered as text. Roots: `reply` (the answer stanza, see reply-tree.ts),
 * `params`, `query`, `body` and `user`, as in `send:`. Compiled once, at load.
 */
import type { Element } from "ltx";
import { REPLY_SEGMENT, replyValue, type Json } from "./reply-tree.ts";

const RESPOND_ROOTS = ["reply", "params", "query", "body", "user"] as const;

export interface RespondScope {
  reply: Element;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  user: unknown;
}

export interface CompiledRespond {
  /** Every placeholder, for load-time checks (params against the path). */
  readonly expressions: readonly string[];
  render(scope: RespondScope): Json;
}

export interface RespondProblem {
  /** Below `respond`, e.g. ["version"]. */
  path: Array<string | number>;
  message: string;
}

type Renderer = (scope: RespondScope) => Json;
const PLACEHOLDER = /\{\{\s*(.*?)\s*\}\}/g;
const WHOLE = /^\s*\{\{\s*([^{}]*?)\s*\}\}\s*$/;
const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;

export function compileRespond(raw: unknown): { respond?: CompiledRespond; problems: RespondProblem[] } {
  const problems: RespondProblem[] = [];
  const expressions: string[] = [];
  const render = compileValue(raw, [], { problems, expressions });
  return problems.length ? { problems } : { respond: { expressions, render }, problems };
}

interface Acc {
  problems: RespondProblem[];
  expressions: string[];
}

function compileValue(raw: unknown, at: Array<string | number>, acc: Acc): Renderer {
  if (typeof raw === "string") return compileString(raw, at, acc);
  if (Array.isArray(raw)) {
    const items = raw.map((v, i) => compileValue(v, [...at, i], acc));
    return (scope) => items.map((r) => r(scope));
  }
  if (raw !== null && typeof raw === "object") {
    const entries = Object.entries(raw).map(([k, v]) => [k, compileValue(v, [...at, k], acc)] as const);
    return (scope) => Object.fromEntries(entries.map(([k, r]) => [k, r(scope)]));
  }
  const constant = (raw ?? null) as Json;
  return () => constant;
}

function compileString(raw: string, at: Array<string | number>, acc: Acc): Renderer {
  const whole = WHOLE.exec(raw);
  if (whole) return lookup(whole[1] as string, at, acc);
  const pieces: Array<string | Renderer> = [];
  let last = 0;
  for (const m of raw.matchAll(PLACEHOLDER)) {
    pieces.push(raw.slice(last, m.index), lookup(m[1] as string, at, acc));
    last = m.index + m[0].length;
  }
  pieces.push(raw.slice(last));
  if (/\{\{|\}\}/.test(pieces.filter((p) => typeof p === "string").join("")))
    acc.problems.push({ path: at, message: "unbalanced {{ or }}" });
  return (scope) => pieces.map((p) => (typeof p === "string" ? p : asText(p(scope)))).join("");
}

function lookup(expr: string, at: Array<string | number>, acc: Acc): Renderer {
  const [root, ...path] = expr.split(".");
  if (!(RESPOND_ROOTS as readonly string[]).includes(root ?? "")) {
    acc.problems.push({ path: at, message: `"{{ ${expr} }}" must start with one of ${RESPOND_ROOTS.join(", ")}` });
    return () => null;
  }
  const segment = root === "reply" ? REPLY_SEGMENT : PLAIN_SEGMENT;
  if (path.some((s) => !segment.test(s))) {
    acc.problems.push({
      path: at,
      message: `"{{ ${expr} }}" is not a path such as reply.query.version${root === "reply" ? " (reply.query.item* for every <item/>)" : ""}`,
    });
    return () => null;
  }
  acc.expressions.push(expr);
  if (root === "reply") return (scope) => replyValue(scope.reply, path);
  return (scope) => plainValue(scope[root as Exclude<(typeof RESPOND_ROOTS)[number], "reply">], path);
}

function plainValue(value: unknown, path: readonly string[]): Json {
  let v = value;
  for (const key of path) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  return v === undefined ? null : (JSON.parse(JSON.stringify(v)) as Json);
}

function asText(value: Json): string {
  if (value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
