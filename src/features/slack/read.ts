/**
 * A Slack or Mattermost incoming-webhook payload as one Notification (src/notify/). Senders put
 * their words in very different places: Alertmanager and Grafana send no `text`, only one
 * attachment's title (Alertmanager's attachment `text` is even ""), Uptime Kuma's Mattermost
 * provider only attachments with fields, its rich Slack messages Block Kit inside an attachment.
 * So the title is the first header block, or, when there is no `text`, the first attachment's
 * title; everything else is read in the order Slack shows it. Images (image_url and thumb_url of
 * attachments, image blocks) are the notification's attachments, each a chat message of its own
 * (links: the handler passes them through the file store's remote rule). Only a payload where
 * nothing says anything is refused (no_text).
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { isRecord, textOf } from "../../kit/bounded.ts";
import { isXmlText, saysNothing } from "../../kit/xml-text.ts";
import { colorBadge, parseHexColor } from "../../notify/color.ts";
import type { Notification } from "../../notify/notification.ts";
import { notificationText } from "../../notify/render.ts";
import { MAX_ATTACHMENTS as MAX_IMAGES } from "../../notify/incoming-files.ts";
import { bold, type Link, list, readBlocks } from "./blocks.ts";
import { SLACK_ERRORS } from "./errors.ts";
import { asWritten, plainText, unbold } from "./mrkdwn.ts";

/** Slack: "You can include up to 50 blocks in each message" (Block Kit reference). */
const MAX_BLOCKS = 50;
/** Slack: a message may have up to 100 attachments (chat.postMessage: too_many_attachments). */
const MAX_ATTACHMENTS = 100;
/** Slack truncates a message's text past 40,000 characters; so does this, saying so with "…". */
const MAX_TEXT = 40_000;
const MAX_TITLE = 1_000;
const MAX_LINKS = 20;

interface Part {
  lines: string[];
  links: Link[];
  images: Link[];
  header?: string | undefined;
  badge?: string | undefined;
}

export function readMessage(payload: Record<string, unknown>): Notification {
  if (payload.text !== undefined && payload.text !== null && textOf(payload.text) === undefined)
    throw new GatewayError(SLACK_ERRORS.SLACK_INVALID_PAYLOAD, "text must be a string");
  const text = plainText(textOf(payload.text) ?? "");
  const top = readBlocks(blockList(payload.blocks), true);
  const parts: Part[] = [{ lines: text.trim() ? [tidy(text)] : [], links: [], images: [] }, top];
  let header = top.header;
  attachmentList(payload.attachments).forEach((attachment, i) => {
    const part = readAttachment(attachment, { title: !text.trim() && header === undefined && i === 0, header: header === undefined });
    header ??= part.header;
    parts.push(part);
  });
  return notification(header, parts);
}

function notification(header: string | undefined, parts: readonly Part[]): Notification {
  const body = truncate(
    parts
      .flatMap((p) => p.lines)
      .join("\n")
      .trim(),
    MAX_TEXT,
  );
  const title = header?.trim() ? truncate(unbold(header.trim()), MAX_TITLE) : undefined;
  const images = unique(parts.flatMap((p) => p.images)).slice(0, MAX_IMAGES);
  // A picture alone is a message (an image block is one in Slack): it is sent without text.
  if (saysNothing(title ?? "") && saysNothing(body) && images.length === 0) throw new GatewayError(SLACK_ERRORS.SLACK_NO_TEXT);
  const badge = parts.find((p) => p.badge)?.badge;
  const links = unique(parts.flatMap((p) => p.links)).slice(0, MAX_LINKS);
  // Without a title the badge leads the text, as it would lead the title.
  const n: Notification = {
    ...(title ? { title, badges: badge ? [badge] : [] } : {}),
    text: !title && badge ? `${badge} ${body}` : body,
    links,
    attachments: images.map(({ url, label }) => ({ kind: "link", url, ...(label ? { name: label } : {}) })),
  };
  // A control character is refused as every other format refuses it (XML 1.0 §2.2), not replaced.
  if (!isXmlText(notificationText(n))) throw new GatewayError("INVALID_XML_TEXT");
  return n;
}

/** A legacy attachment (api.slack.com/reference/messaging/attachments), in Slack's order. */
function readAttachment(a: Record<string, unknown>, take: { title: boolean; header: boolean }): Part {
  const lines: string[] = [];
  const links: Link[] = [];
  const images: Link[] = [];
  const push = (s: string) => void (s.trim() !== "" && lines.push(tidy(s)));
  push(plainText(textOf(a.pretext) ?? ""));
  push(plainText(textOf(a.author_name) ?? ""));
  const title = plainText(textOf(a.title) ?? "").trim();
  const header = take.title && title ? title : undefined;
  if (title && !header) push(bold(title));
  for (const key of ["author_link", "title_link"]) {
    const url = textOf(a[key]);
    if (url) links.push({ url: asWritten(url), label: key === "title_link" && !header ? title : undefined });
  }
  push(plainText(textOf(a.text) ?? ""));
  for (const field of list(a.fields)) push(fieldLine(field));
  const inner = readBlocks(blockList(a.blocks), take.header && !header);
  lines.push(...inner.lines);
  links.push(...inner.links);
  images.push(...inner.images);
  for (const key of ["image_url", "thumb_url"]) {
    const url = textOf(a[key]);
    if (url) images.push({ url: asWritten(url) });
  }
  push(plainText(textOf(a.footer) ?? ""));
  // Slack shows `fallback` where it cannot show the attachment: here, where nothing else says anything.
  if (!header && !inner.header && !lines.some((l) => l.trim())) push(plainText(textOf(a.fallback) ?? ""));
  return { lines, links, images, header: header ?? inner.header, badge: attachmentBadge(a.color) };
}

/** Slack's three color names (#2EB886, #DAA038, #A30200 in its attachment reference) or a hex color. */
const SLACK_COLORS = new Map([
  ["good", 0x2eb886],
  ["warning", 0xdaa038],
  ["danger", 0xa30200],
]);

function attachmentBadge(color: unknown): string | undefined {
  const rgb = typeof color === "string" ? (SLACK_COLORS.get(color.trim().toLowerCase()) ?? parseHexColor(color)) : undefined;
  return rgb === undefined ? undefined : colorBadge(rgb);
}

/** Blank lines around a piece (Grafana ends its text with one) would part it from the next. */
const tidy = (text: string): string => text.replace(/^\s*\n/, "").trimEnd();

function fieldLine(field: unknown): string {
  if (!isRecord(field)) return "";
  const title = plainText(textOf(field.title) ?? "").trim();
  const value = plainText(textOf(field.value) ?? "");
  return title && value.trim() ? `${title}: ${value}` : title || value;
}

function blockList(blocks: unknown): Array<Record<string, unknown>> {
  if (blocks === undefined || blocks === null) return [];
  if (!Array.isArray(blocks)) throw new GatewayError(SLACK_ERRORS.SLACK_INVALID_BLOCKS, "blocks must be a list of blocks");
  if (blocks.length > MAX_BLOCKS)
    throw new GatewayError(SLACK_ERRORS.SLACK_INVALID_BLOCKS, `${blocks.length} blocks: Slack allows ${MAX_BLOCKS} in a message`, {
      details: { max_blocks: MAX_BLOCKS },
    });
  return blocks.filter(isRecord);
}

function attachmentList(attachments: unknown): Array<Record<string, unknown>> {
  if (attachments === undefined || attachments === null) return [];
  if (!Array.isArray(attachments)) throw new GatewayError(SLACK_ERRORS.SLACK_INVALID_ATTACHMENTS);
  if (attachments.length > MAX_ATTACHMENTS)
    throw new GatewayError(SLACK_ERRORS.SLACK_TOO_MANY_ATTACHMENTS, undefined, { details: { max_attachments: MAX_ATTACHMENTS } });
  return attachments.filter(isRecord);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max).toWellFormed().trimEnd()}…`;
}

function unique(links: readonly Link[]): Link[] {
  const seen = new Set<string>();
  return links.filter((l) => l.url.trim() !== "" && !seen.has(l.url) && seen.add(l.url));
}
