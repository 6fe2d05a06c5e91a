/**
 * An Apprise message as a chat notification: its type as a severity badge, its title, its body
 * made plain from the format it declares, and its attachments (stored files, URLs as links), one
 * chat message each after the text.
 */
import type { Notification } from "../../notify/notification.ts";
import { plainMarkdown, plainMarkdownTitle } from "../../notify/markdown.ts";
import { htmlText } from "./html.ts";
import type { AppriseMessage } from "./read.ts";

/** Apprise's NotifyType as the emoji a client shows before the title; `info`, the default, says nothing worth a badge. */
const BADGES: Record<AppriseMessage["type"], string | undefined> = { info: undefined, success: "✅", warning: "⚠️", failure: "❌" };

export function appriseNotification(m: AppriseMessage): Notification {
  return {
    title: plain(m.title, m.format, true),
    text: plain(m.body, m.format, false),
    badges: BADGES[m.type] ? [BADGES[m.type] as string] : [],
    attachments: m.attachments,
  };
}

function plain(text: string, format: AppriseMessage["format"], title: boolean): string {
  if (format === "html") return htmlText(text);
  if (format === "markdown") return title ? plainMarkdownTitle(text) : plainMarkdown(text);
  return text;
}
