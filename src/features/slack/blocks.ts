/**
 * Slack Block Kit (https://api.slack.com/reference/block-kit/blocks) as lines of text, links and
 * images. Layout blocks that carry text are read (header, section, context, rich_text, image,
 * actions); divider is a blank line; interactive inputs, which a chat message cannot hold, are left out.
 */
import { isRecord, textOf } from "../../kit/bounded.ts";
import { link, plainText, asWritten } from "./mrkdwn.ts";

export interface Link {
  url: string;
  label?: string | undefined;
}

/** What a list of blocks says: lines in order, the header that titles it, the links and images it carries. */
export interface Read {
  lines: string[];
  links: Link[];
  /** Image blocks and image accessories: the notification's attachments (labelled by title or alt text). */
  images: Link[];
  header?: string | undefined;
}

/** A composition text object: `mrkdwn` is converted, `plain_text` shown as written. */
function textObject(value: unknown): string {
  if (typeof value === "string") return plainText(value);
  if (!isRecord(value)) return "";
  const text = textOf(value.text) ?? "";
  return value.type === "plain_text" ? asWritten(text) : plainText(text);
}

/** The blocks in order; the first header is handed back as `header` (the message's title) when `takeHeader`. */
export function readBlocks(blocks: readonly unknown[], takeHeader: boolean): Read {
  const read: Read = { lines: [], links: [], images: [] };
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    if (block.type === "header" && takeHeader && read.header === undefined) read.header = textObject(block.text);
    else readBlock(block, read);
  }
  return read;
}

function readBlock(block: Record<string, unknown>, read: Read): void {
  const line = (text: string) => void (text.trim() !== "" && read.lines.push(text.replace(/^\s*\n/, "").trimEnd()));
  switch (block.type) {
    case "header":
      return line(bold(textObject(block.text)));
    case "section":
      line(textObject(block.text));
      for (const field of list(block.fields)) line(textObject(field));
      return accessory(block.accessory, read);
    case "context":
      return line(list(block.elements).map(contextElement).filter(Boolean).join(" · "));
    case "divider":
      return void read.lines.push("");
    case "image":
      return image(block, read);
    case "actions":
      for (const element of list(block.elements)) accessory(element, read);
      return;
    case "rich_text":
      return line(list(block.elements).map(richElement).join("\n"));
  }
}

function contextElement(element: unknown): string {
  if (!isRecord(element)) return "";
  return element.type === "image" ? asWritten(textOf(element.alt_text) ?? "") : textObject(element);
}

/** A button with a URL, or an image, beside or under a section. */
function accessory(element: unknown, read: Read): void {
  if (!isRecord(element)) return;
  if (element.type === "image") return image(element, read);
  const url = textOf(element.url);
  if (element.type === "button" && url) read.links.push({ url: asWritten(url), label: textObject(element.text) });
}

function image(block: Record<string, unknown>, read: Read): void {
  const url = textOf(block.image_url);
  if (url)
    read.images.push({ url: asWritten(url), label: textObject(block.title) || asWritten(textOf(block.alt_text) ?? "") || undefined });
}

/** rich_text's sections, lists, quotes and preformatted parts (what Slack's own editor sends). */
function richElement(element: unknown): string {
  if (!isRecord(element)) return "";
  const inline = list(element.elements).map(richInline).join("");
  switch (element.type) {
    case "rich_text_list":
      return list(element.elements)
        .map((item) => `• ${isRecord(item) ? list(item.elements).map(richInline).join("") : ""}`)
        .join("\n");
    case "rich_text_quote":
      return inline
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n");
    case "rich_text_preformatted":
      return `\`\`\`\n${inline}\n\`\`\``;
    default:
      return inline;
  }
}

function richInline(element: unknown): string {
  if (!isRecord(element)) return "";
  const text = asWritten(textOf(element.text) ?? "");
  switch (element.type) {
    case "link":
      return link(asWritten(textOf(element.url) ?? ""), text);
    case "emoji":
      return emoji(element);
    case "user":
      return `@${textOf(element.user_id) ?? ""}`;
    case "channel":
      return `#${textOf(element.channel_id) ?? ""}`;
    case "broadcast":
      return `@${textOf(element.range) ?? ""}`;
    default:
      return isRecord(element.style) && element.style.bold === true && text.trim() ? bold(text) : text;
  }
}

/** `{"type":"emoji","name":"fire","unicode":"1f525"}`: the character when its code points are sound, else `:fire:`. */
function emoji(element: Record<string, unknown>): string {
  const points = (textOf(element.unicode) ?? "").split("-").map((hex) => Number.parseInt(hex, 16));
  if (points.length <= 16 && points.every((p) => p >= 0x20 && p <= 0x10ffff)) return asWritten(String.fromCodePoint(...points));
  return `:${asWritten(textOf(element.name) ?? "")}:`;
}

export const bold = (text: string): string => {
  const line = text.replace(/\s+/g, " ").trim();
  return line === "" ? "" : `*${line}*`;
};

export const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
