/**
 * A subscription's request, read as ntfy reads it (server/server.go `topicsFromPath`,
 * `parseSubscribeParams`, `parseSince`; server/types.go `parseQueryFilters`, of binwiederhier/ntfy
 * v2.13): the topics, comma-separated in the path; `poll`; `since` (an id, a unix time, a Go
 * duration, `all`, `latest`, `none`); the filters. Every parameter is a header or the query string.
 */
import type { Cursor, EventFilter } from "../../topics/types.ts";
import { NTFY, ntfyError } from "./errors.ts";
import { commaList, isTrue, type ParamSource } from "./params.ts";
import { DISALLOWED, NAME, priorityOf } from "./publish.ts";

export interface Subscription {
  topics: string[];
  poll: boolean;
  cursor: Cursor;
  filter: EventFilter;
}

/** ntfy's validMessageID: 12 letters and digits (tried before a unix time, as ntfy does). */
const MESSAGE_ID = /^[A-Za-z0-9]{12}$/;
/** Go's time.ParseDuration: `10m`, `1h30m`, `1.5h`, `300ms`. */
const DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function readSubscription(topicsPath: string, p: ParamSource, maxTopics: number, nowMs = Date.now()): Subscription {
  const poll = isTrue(p.get("x-poll", "poll", "po"));
  return {
    topics: topicsOf(topicsPath, maxTopics),
    poll,
    cursor: sinceOf(p.get("x-since", "since", "si"), poll, nowMs),
    filter: filterOf(p),
  };
}

function topicsOf(path: string, maxTopics: number): string[] {
  const names = [...new Set(commaList(path))];
  if (names.length === 0) throw ntfyError(NTFY.topicInvalid);
  // Checked before each name: 10,000 names in one URL is one clear answer, not 10,000 checks.
  if (names.length > maxTopics) throw ntfyError(NTFY.topicInvalid, `${names.length} topics in one subscription, at most ${maxTopics}`);
  for (const name of names) {
    if (!NAME.test(name)) throw ntfyError(NTFY.topicInvalid);
    if (DISALLOWED.has(name)) throw ntfyError(NTFY.topicDisallowed);
  }
  return names;
}

/** ntfy's parseSince; without `since`, a poll gets everything cached and a stream only what comes. */
function sinceOf(since: string, poll: boolean, nowMs: number): Cursor {
  if (since === "") return poll ? "all" : "none";
  if (since === "all" || since === "latest" || since === "none") return since;
  if (MESSAGE_ID.test(since)) return { after: since };
  if (/^[-+]?\d+$/.test(since)) return { from: Number(since) };
  if (DURATION.test(since)) {
    let ms = 0;
    for (const [, amount, unit] of since.matchAll(DURATION_PART)) ms += Number(amount) * (UNIT_MS[unit ?? "s"] ?? 0);
    return { from: Math.floor((nowMs - (since.startsWith("-") ? -ms : ms)) / 1000) };
  }
  throw ntfyError(NTFY.sinceInvalid);
}

function filterOf(p: ParamSource): EventFilter {
  const id = p.get("x-id", "id");
  const message = p.get("x-message", "message", "m");
  const title = p.get("x-title", "title", "t");
  const tags = commaList(p.get("x-tags", "tags", "tag", "ta"));
  const priorities = commaList(p.get("x-priority", "priority", "prio", "p")).map((v) => priorityOf(v) ?? 3);
  return {
    ...(id ? { ids: [id] } : {}),
    ...(message ? { message } : {}),
    ...(title ? { title } : {}),
    ...(tags.length ? { tags } : {}),
    ...(priorities.length ? { priorities } : {}),
  };
}
