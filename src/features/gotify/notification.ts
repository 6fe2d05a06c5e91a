/**
 * A Gotify message as a Notification (src/notify/): priority on ntfy's scale, the title, the
 * text (Markdown made plain, as every format makes it, when the sender says it is Markdown), the link
 * Gotify's Android app opens on a tap and the picture it shows expanded (extras
 * `client::notification` click.url and bigImageUrl, docs/msgextras.md on gotify.net): the
 * picture is an attachment, a chat message of its own that clients show inline.
 */
import { pathOf } from "../../kit/bounded.ts";
import { plainMarkdown } from "../../notify/markdown.ts";
import type { Notification } from "../../notify/notification.ts";
import type { GotifyMessage } from "./read.ts";

/**
 * Gotify's 0..10 onto ntfy's 1..5, as Gotify's Android app groups them into channels
 * (MessagingService: 0 min, 1-3 low, 4-7 default, 8-10 high); 10 (apprise's "emergency") is
 * ntfy's max. Out-of-range values are clamped: Gotify stores any int.
 */
export function ntfyPriority(gotify: number): number {
  if (gotify <= 0) return 1;
  if (gotify <= 3) return 2;
  if (gotify <= 7) return 3;
  return gotify >= 10 ? 5 : 4;
}

/** `title` is the message's, or (blank, as Gotify does) its application's name: the token holder's. */
export function gotifyNotification(m: GotifyMessage, application: string): Notification {
  const markdown = pathOf(m.extras, "client::display", "contentType") === "text/markdown";
  const click = link(pathOf(m.extras, "client::notification", "click", "url"));
  const image = link(pathOf(m.extras, "client::notification", "bigImageUrl"));
  return {
    title: m.title?.trim() ? m.title : application,
    text: markdown ? plainMarkdown(m.message) : m.message,
    ...(m.priority !== undefined ? { priority: ntfyPriority(m.priority) } : {}),
    ...(click ? { links: [click] } : {}),
    ...(image ? { attachments: [{ kind: "link", url: image.url }] } : {}),
  };
}

function link(url: unknown): { url: string } | undefined {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? { url } : undefined;
}
