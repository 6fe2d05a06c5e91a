/**
 * A topic's events as ntfy's subscribe API writes them (server/server.go handleSubscribeJSON,
 * handleSubscribeSSE, handleSubscribeRaw of binwiederhier/ntfy v2.13): ntfy's `message` JSON
 * in its field order with Go's `omitempty`; SSE names every event but `message` (a browser's
 * `onmessage` hears only those); raw is the message text on one line, an empty line for the rest.
 */
import { newMessageId } from "./message-json.ts";
import type { TopicEvent } from "../../topics/types.ts";

/** The events only a stream has: `open` first, `keepalive` while idle (server/types.go). */
export interface ControlEvent {
  id: string;
  time: number;
  event: "open" | "keepalive";
  topic: string;
}

export type WireEvent = TopicEvent | ControlEvent;

export type StreamKind = "json" | "sse" | "raw";

export const CONTENT_TYPES: Readonly<Record<StreamKind, string>> = {
  // "Android/Volley client needs charset!" (server.go).
  json: "application/x-ndjson; charset=utf-8",
  sse: "text/event-stream; charset=utf-8",
  raw: "text/plain; charset=utf-8",
};

export function controlEvent(event: ControlEvent["event"], topics: string, now = Date.now()): ControlEvent {
  return { id: newMessageId(), time: Math.floor(now / 1000), event, topic: topics };
}

/** ntfy's field order, empty fields left out; `source` is the gateway's own and never sent. */
const isControl = (e: WireEvent): e is ControlEvent => e.event === "open" || e.event === "keepalive";

export function wireJson(e: WireEvent): string {
  if (isControl(e)) return JSON.stringify(e);
  return JSON.stringify({
    id: e.id,
    time: e.time,
    ...(e.expires ? { expires: e.expires } : {}),
    event: e.event,
    topic: e.topic,
    ...(e.title ? { title: e.title } : {}),
    ...(e.message ? { message: e.message } : {}),
    ...(e.priority ? { priority: e.priority } : {}),
    ...(e.tags?.length ? { tags: e.tags } : {}),
    ...(e.click ? { click: e.click } : {}),
    ...(e.attachment ? { attachment: e.attachment } : {}),
    ...(e.sequence_id ? { sequence_id: e.sequence_id } : {}),
  });
}

export function encode(kind: StreamKind, e: WireEvent): string {
  if (kind === "json") return `${wireJson(e)}\n`;
  if (kind === "sse") return e.event === "message" ? `data: ${wireJson(e)}\n\n` : `event: ${e.event}\ndata: ${wireJson(e)}\n\n`;
  return isControl(e) || e.event !== "message" ? "\n" : `${(e.message ?? "").replaceAll("\n", " ")}\n`;
}
