/**
 * ntfy's action buttons (docs/publish.md "Action buttons"; server/actions.go of
 * binwiederhier/ntfy v2.13): a JSON array, or the short form
 * `view, Open portal, https://example.com; http, Close door, https://api/door, method=PUT`.
 * A chat client has no buttons: what a person can follow (the URL of `view` and `http`) becomes a link.
 */
import { NTFY, ntfyError } from "./errors.ts";
import { parseJson } from "../../kit/request-body.ts";
import { isRecord } from "../../kit/bounded.ts";

export interface NtfyAction {
  action: "view" | "broadcast" | "http";
  label: string;
  url?: string;
  method?: string;
  clear: boolean;
}

const KINDS = ["view", "broadcast", "http"] as const;
/** ntfy's actionsMax. */
const MAX_ACTIONS = 3;
/** `key=` at the start of a section (ntfy's actionsKeyRegex). */
const KEY = /^([-.\w]+)\s*=\s*/;

export function parseActions(input: unknown): NtfyAction[] {
  const raw = typeof input === "string" ? input.trim() : input;
  const list = typeof raw === "string" ? (raw.startsWith("[") ? fromJson(raw) : fromShortForm(raw)) : raw;
  if (!Array.isArray(list)) throw invalid("actions must be a JSON array");
  if (list.length > MAX_ACTIONS) throw invalid(`only ${MAX_ACTIONS} actions allowed`);
  return list.map(checked);
}

const invalid = (detail: string) => ntfyError(NTFY.actionsInvalid, detail);

function fromJson(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    throw invalid("JSON error");
  }
}

function checked(value: unknown): NtfyAction {
  if (!isRecord(value)) throw invalid("an action must be an object");
  const text = (key: string) => (typeof value[key] === "string" ? (value[key] as string) : "");
  const action = text("action").toLowerCase();
  if (!(KINDS as readonly string[]).includes(action))
    throw invalid(`parameter 'action' cannot be '${text("action")}', valid values are 'view', 'broadcast' and 'http'`);
  const label = text("label");
  if (!label) throw invalid("parameter 'label' is required");
  const url = text("url");
  if (action !== "broadcast" && !url) throw invalid(`parameter 'url' is required for action '${action}'`);
  return {
    action: action as NtfyAction["action"],
    label,
    ...(url ? { url } : {}),
    ...(text("method") ? { method: text("method").toUpperCase() } : {}),
    clear: value.clear === true || ["true", "yes", "1"].includes(text("clear").toLowerCase()),
  };
}

/** Actions split on `;`, sections on `,`, values quoted with " or ' where they hold either (ntfy's actionParser). */
function fromShortForm(input: string): Array<Record<string, string>> {
  const actions: Array<Record<string, string>> = [];
  let current: Record<string, string> = {};
  let section = 0;
  let rest = input;
  while (rest.trim() !== "") {
    rest = rest.trimStart();
    const key = KEY.exec(rest);
    if (key) rest = rest.slice(key[0].length);
    const { value, end, remaining } = sectionValue(rest);
    assign(current, section, key?.[1] ?? "", value);
    rest = remaining;
    section++;
    if (end === ";" || rest.trim() === "") {
      actions.push(current);
      current = {};
      section = 0;
    }
  }
  return actions;
}

/** The first three sections may leave out their key: action, label, then url (for view and http). */
function assign(action: Record<string, string>, section: number, key: string, value: string): void {
  const implied = ["action", "label", action.action === "view" || action.action === "http" ? "url" : ""][section] ?? "";
  const name = (key || implied).toLowerCase();
  if (!name) throw invalid(`term '${value}' unknown`);
  if (name.startsWith("headers.") || name.startsWith("extras.")) return;
  if (!["action", "label", "clear", "url", "method", "body", "intent"].includes(name)) throw invalid(`key '${key}' unknown`);
  action[name] = name === "action" ? value.toLowerCase() : value;
}

function sectionValue(text: string): { value: string; end: string; remaining: string } {
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const close = closingQuote(text, quote);
    if (close === -1) throw invalid("unexpected end of input, quote not closed");
    const after = text.slice(close + 1).trimStart();
    const end = after[0] ?? "";
    if (end !== "" && end !== "," && end !== ";") throw invalid(`unexpected character '${end}' after a quoted value`);
    return { value: text.slice(1, close).replaceAll(`\\${quote}`, quote), end, remaining: after.slice(1) };
  }
  const stop = text.search(/[,;]/);
  if (stop === -1) return { value: text.trim(), end: "", remaining: "" };
  return { value: text.slice(0, stop).trim(), end: text[stop] as string, remaining: text.slice(stop + 1) };
}

function closingQuote(text: string, quote: string): number {
  for (let i = 1; i < text.length; i++) if (text[i] === quote && text[i - 1] !== "\\") return i;
  return -1;
}
