/**
 * A Discord message as a Notification (src/notify/): the first embed's title in bold, its color
 * as a severity emoji, the content and each embed's text, the embeds' fields as `name: value`
 * lines, and their links (the title's, the author's, images and thumbnails). Files are named as
 * received: until the gateway sends files as files, a client shows that they came and were not
 * forwarded, rather than nothing. An embed image that points at one of those files
 * (`attachment://graph.png`, as Grafana writes it) is that file, not a second link.
 */
import { colorBadge } from "../../notify/color.ts";
import type { Notification } from "../../notify/notification.ts";
import { plainText, plainTitle, timestampText } from "./markup.ts";
import type { DiscordMessage, Embed } from "./payload.ts";

/** A file part of a multipart request: what a person is told of it. */
export interface ReceivedFile {
  filename: string;
  type: string;
  size: number;
}

type Link = { url: string; label?: string };

export function notificationOf(message: DiscordMessage, files: readonly ReceivedFile[] = []): Notification {
  const embeds = message.embeds ?? [];
  const [first, ...rest] = embeds;
  const color = embeds.find((e) => e.color !== undefined)?.color;
  // Alertmanager colours firing 0x992D22 (red) and resolved 0x2ECC71 (green); 0 is Discord's "no color".
  const badge = color === undefined ? undefined : colorBadge(color);
  const text = [
    message.content,
    ...(first ? embedLines(first, false) : []),
    ...rest.flatMap((e) => embedLines(e, true)),
    ...files.map(fileLine),
  ];
  return {
    title: first?.title === undefined ? undefined : plainTitle(first.title),
    text: text.flatMap((chunk) => (chunk?.trim() ? [plainText(chunk.trim())] : [])).join("\n"),
    badges: badge ? [badge] : undefined,
    fields: embeds.flatMap((e) => e.fields ?? []).map((f) => ({ name: plainText(f.name), value: plainText(f.value) })),
    links: embeds.flatMap(embedLinks),
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
    webImage(e.image, "Image"),
    webImage(e.thumbnail, "Thumbnail"),
  ];
  return links.filter((l): l is Link => l !== undefined);
}

/** `attachment://name` is one of the request's files, named by fileLine; only web URLs are links. */
const webImage = (url: string | undefined, label: string): Link | undefined =>
  url && /^https?:\/\//i.test(url) ? { url, label } : undefined;

function fileLine(f: ReceivedFile): string {
  return `📎 ${f.filename || "(unnamed file)"} (${f.type}, ${sizeText(f.size)}): received, not forwarded`;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
