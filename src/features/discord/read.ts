/**
 * A Discord message as a Notification (src/notify/): the first embed's title in bold, its color
 * as a severity emoji, the content and each embed's text, the embeds' fields as `name: value`
 * lines, their links (the title's, the author's), and its attachments: the request's files, then
 * the embeds' images and thumbnails given by URL (embedImages). An embed image that points at one
 * of the files (`attachment://graph.png`, as Grafana writes it) is that file, not a second one.
 */
import type { Attachment } from "../../files/types.ts";
import { colorBadge } from "../../notify/color.ts";
import type { Notification } from "../../notify/notification.ts";
import { plainText, plainTitle, timestampText } from "./markup.ts";
import type { DiscordMessage, Embed } from "./payload.ts";

type Link = { url: string; label?: string };

export function notificationOf(message: DiscordMessage, attachments: readonly Attachment[] = []): Notification {
  const embeds = message.embeds ?? [];
  const [first, ...rest] = embeds;
  const color = embeds.find((e) => e.color !== undefined)?.color;
  // Alertmanager colours firing 0x992D22 (red) and resolved 0x2ECC71 (green); 0 is Discord's "no color".
  const badge = color === undefined ? undefined : colorBadge(color);
  const text = [message.content, ...(first ? embedLines(first, false) : []), ...rest.flatMap((e) => embedLines(e, true))];
  return {
    title: first?.title === undefined ? undefined : plainTitle(first.title),
    text: text.flatMap((chunk) => (chunk?.trim() ? [plainText(chunk.trim())] : [])).join("\n"),
    badges: badge ? [badge] : undefined,
    fields: embeds.flatMap((e) => e.fields ?? []).map((f) => ({ name: plainText(f.name), value: plainText(f.value) })),
    links: embeds.flatMap(embedLinks),
    attachments,
  };
}

/** An embed's own lines: later embeds say their title too (only the first one's is the message's). */
function embedLines(e: Embed, withTitle: boolean): Array<string | undefined> {
  const when = e.timestamp === undefined ? undefined : timestampText(e.timestamp);
  const footer = [e.footer?.text, when].filter((s) => s !== undefined && s !== "").join(" • ");
  return [withTitle ? e.title : undefined, e.author?.name, e.description, footer];
}

function embedLinks(e: Embed): Link[] {
  const links: Array<Link | undefined> = [
    e.url ? { url: e.url } : undefined,
    e.author?.url ? { url: e.author.url, label: e.author.name } : undefined,
  ];
  return links.filter((l): l is Link => l !== undefined);
}

/** The embeds' pictures given by URL; `attachment://name` is one of the request's files, already attached. */
export function embedImages(message: DiscordMessage): Array<{ url: string }> {
  const urls = (message.embeds ?? []).flatMap((e) => [e.image, e.thumbnail]);
  return urls.flatMap((url) => (url && /^https?:\/\//i.test(url) ? [{ url }] : []));
}
