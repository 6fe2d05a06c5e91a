/**
 * An Apprise message as a chat notification: its type as a severity badge, its title, its body
 * made plain from the format it declares, and its attachments named. A file sent inline (json://
 * base64) is not forwarded yet: the message says its name and size, so nobody misses that it
 * existed; an attachment given as a URL is a link.
 */
import type { Notification } from "../../notify/notification.ts";
import { plainMarkdown, plainMarkdownTitle } from "../../notify/markdown.ts";
import { htmlText } from "./html.ts";
import type { AppriseAttachment, AppriseMessage } from "./read.ts";

/** Apprise's NotifyType as the emoji a client shows before the title; `info`, the default, says nothing worth a badge. */
const BADGES: Record<AppriseMessage["type"], string | undefined> = { info: undefined, success: "✅", warning: "⚠️", failure: "❌" };

/** Lines naming attachments, as Slack's format caps its links: 10,000 files would make a message no server takes. */
const MAX_ATTACHMENTS = 20;

export function appriseNotification(m: AppriseMessage): Notification {
  const shown = m.attachments.slice(0, MAX_ATTACHMENTS);
  const more = m.attachments.length - shown.length;
  const files = shown.filter((a) => a.url === undefined);
  const links = shown.flatMap((a) => (a.url === undefined ? [] : [{ url: a.url, label: a.name }]));
  return {
    title: plain(m.title, m.format, true),
    text: plain(m.body, m.format, false),
    badges: BADGES[m.type] ? [BADGES[m.type] as string] : [],
    fields: [
      ...files.map((a) => ({ name: "Attachment", value: describeFile(a) })),
      ...(more > 0 ? [{ name: "Attachments", value: `and ${more} more, not named here` }] : []),
    ],
    links,
  };
}

function plain(text: string, format: AppriseMessage["format"], title: boolean): string {
  if (format === "html") return htmlText(text);
  if (format === "markdown") return title ? plainMarkdownTitle(text) : plainMarkdown(text);
  return text;
}

function describeFile(a: AppriseAttachment): string {
  const about = [a.mimetype, a.bytes === undefined ? undefined : size(a.bytes)].filter(Boolean).join(", ");
  return `${a.name}${about ? ` (${about})` : ""}, not forwarded: files do not reach XMPP yet`;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
