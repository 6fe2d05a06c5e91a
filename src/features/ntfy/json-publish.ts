/**
 * ntfy's JSON publish (docs/publish.md "Publish as JSON"; server/server.go `transformBodyJSON`
 * of binwiederhier/ntfy v2.13): `{"topic": "backups", "message": "...", "title": "..."}` posted to
 * the root. ntfy turns each field into the header of the same meaning and publishes to the topic,
 * so a field given wins over the request's header and the request's other headers still count
 * (Apprise 1.2.0 posts `{topic, title, message}` with `X-Priority`, `X-Tags` and `X-Click` headers).
 */
import { isRecord, textOf } from "../../kit/bounded.ts";
import { parseJson } from "../../kit/request-body.ts";
import { NTFY, ntfyError } from "./errors.ts";
import { NAME } from "./publish.ts";
import type { ParamSource } from "./params.ts";

/** ntfy reads at most twice the message limit of JSON (`MessageSizeLimit*2`). */
export const JSON_LIMIT = 8192;

/** Each field with the type Go's decoder requires of it, and the header it becomes. */
/** `text` is what a person reads: a number or boolean there is read as every format reads it (kit/bounded.ts textOf). */
const FIELDS: Readonly<Record<string, { type: "text" | "string" | "integer" | "strings" | "boolean" | "array"; header: string }>> = {
  message: { type: "text", header: "x-message" },
  title: { type: "text", header: "x-title" },
  priority: { type: "integer", header: "x-priority" },
  tags: { type: "strings", header: "x-tags" },
  click: { type: "string", header: "x-click" },
  icon: { type: "string", header: "x-icon" },
  attach: { type: "string", header: "x-attach" },
  filename: { type: "string", header: "x-filename" },
  markdown: { type: "boolean", header: "x-markdown" },
  actions: { type: "array", header: "x-actions" },
  email: { type: "string", header: "x-email" },
  call: { type: "string", header: "x-call" },
  delay: { type: "string", header: "x-delay" },
  cache: { type: "string", header: "x-cache" },
  firebase: { type: "string", header: "x-firebase" },
  sequence_id: { type: "string", header: "x-sequence-id" },
};

export interface JsonPublish {
  topic: string;
  message: string;
  params: ParamSource;
}

export function readJsonPublish(text: string, request: ParamSource): JsonPublish {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    throw ntfyError(NTFY.jsonInvalid);
  }
  if (!isRecord(value)) throw ntfyError(NTFY.jsonInvalid);
  const topic = value.topic;
  if (topic !== undefined && typeof topic !== "string") throw ntfyError(NTFY.jsonInvalid);
  if (!topic || !NAME.test(topic)) throw ntfyError(NTFY.topicInvalid);
  const headers = new Map<string, string>();
  for (const [field, spec] of Object.entries(FIELDS)) {
    const given = value[field];
    if (given === undefined || given === null) continue;
    if (!fits(given, spec.type)) throw ntfyError(NTFY.jsonInvalid);
    // transformBodyJSON skips Go's zero values: 0, false, "" and an empty list set no header.
    if (given === "" || (spec.type !== "text" && (given === 0 || given === false || (Array.isArray(given) && given.length === 0))))
      continue;
    headers.set(spec.header, headerValue(given, spec.type));
  }
  const message = headers.get("x-message") ?? "";
  headers.delete("x-message");
  return { topic, message, params: { get: (...names) => headers.get(names[0] ?? "") ?? request.get(...names) } };
}

function fits(value: unknown, type: string): boolean {
  if (type === "text") return textOf(value) !== undefined;
  if (type === "integer") return Number.isInteger(value);
  if (type === "strings") return Array.isArray(value) && value.every((v) => typeof v === "string");
  if (type === "array") return Array.isArray(value);
  return typeof value === type;
}

/** As transformBodyJSON writes the header: tags comma-joined, actions as JSON, markdown as yes. */
function headerValue(value: unknown, type: string): string {
  if (type === "text") return textOf(value) ?? "";
  if (type === "strings") return (value as string[]).join(",");
  if (type === "array") return JSON.stringify(value);
  return value === true ? "yes" : String(value);
}
