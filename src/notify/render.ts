/**
 * A notification as the text of a chat message. Styling is XEP-0393 (Message Styling): `*bold*`
 * for the title, which Conversations, Dino and Gajim show and other clients leave readable; URLs
 * stand alone on their line so every client makes them clickable.
 */
import { saysNothing } from "../kit/xml-text.ts";
import { isShownLink } from "./markdown.ts";
import type { Notification } from "./notification.ts";

/**
 * XEP-0393 §6.2.2: a span does not start or end with whitespace, and a line break ends it. A span
 * ends at the first `*` not preceded by whitespace (§6.2), and there is no escape: a title holding
 * such a star of its own (a plain title: Gotify's `**T**`, `a*b`) is shown as written, not
 * wrapped, as `***T***` or `*a*b*` would bold a part and show stray stars. `2 * 3` is wrapped.
 */
function bold(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line === "" || CLOSES_SPAN.test(line) ? line : `*${line}*`;
}

/** A star that would close a span opened just before the line (§6.2: not after whitespace). */
const CLOSES_SPAN = /(?:^|\S)\*/;

/** ntfy's urgent (5) and high (4) priorities, as its apps mark them. */
function priorityMark(priority: number | undefined): string | undefined {
  if (priority === undefined) return undefined;
  if (priority >= 5) return "‼️";
  if (priority >= 4) return "❗";
  return undefined;
}

/**
 * Whether a client would show anything but badges and priority marks: a title, text, a field or
 * a link that is shown (not one to `javascript:`). Checked on what formats made plain, so a
 * Markdown link to nowhere or HTML that strips to nothing is no text either.
 */
export function hasText(n: Notification): boolean {
  const parts = [n.title ?? "", n.text, ...(n.fields ?? []).flatMap((f) => [f.name, f.value]), ...shownLinks(n)];
  return parts.some((part) => !saysNothing(part));
}

const shownLinks = (n: Notification): string[] => (n.links ?? []).filter((l) => isShownLink(l.url)).map((l) => l.url);

export function notificationText(n: Notification): string {
  const head = [priorityMark(n.priority), ...(n.badges ?? []), n.title ? bold(n.title) : undefined]
    .filter((part): part is string => part !== undefined && part !== "")
    .join(" ");
  const fields = (n.fields ?? []).map((f) => `${f.name}: ${f.value}`);
  // A click target or button of another scheme (`javascript:`) is no link a person should follow.
  const links = (n.links ?? [])
    .filter((l) => isShownLink(l.url))
    .map((l) => (l.label && l.label !== l.url ? `${l.label}: ${l.url}` : l.url));
  return [head, n.text.trim(), ...fields, ...links].filter((line) => line !== "").join("\n");
}
