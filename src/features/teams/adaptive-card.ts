/**
 * An Adaptive Card (adaptivecards.io/explorer, schema 1.x) as a notification, walking every
 * container: TextBlock and RichTextBlock text, FactSet facts, Image and ImageSet URLs,
 * Action.OpenUrl links, a ShowCard's own card. The first bold or large TextBlock before any other
 * text is the title (Grafana's and Uptime Kuma's cards both open with one), its `color` or the
 * first container's `style` the badge. Senders nest TextBlocks in Container > ColumnSet > Column
 * (Uptime Kuma), so nothing is assumed flat. Decorative images (`style: Person`, an avatar) are
 * left out.
 */
import { isRecord, textIn } from "../../kit/bounded.ts";
import type { Notification } from "../../notify/notification.ts";
import { plainMarkdown, plainMarkdownTitle } from "../../notify/markdown.ts";

type Json = Record<string, unknown>;

interface Walk {
  title?: string;
  badge?: string | undefined;
  lines: string[];
  fields: Array<{ name: string; value: string }>;
  links: Array<{ url: string; label?: string | undefined }>;
}

const lower = (v: unknown): string => textIn(v).toLowerCase();

/**
 * Adaptive Cards name their colors (TextBlock.color, Container.style: adaptivecards.io) rather
 * than give RGB: the names that mean a severity get its badge; default, light, dark, emphasis none.
 */
const NAMED = new Map([
  ["attention", "🔴"],
  ["good", "🟢"],
  ["warning", "🟠"],
  ["accent", "🔵"],
]);
const namedColorBadge = (name: unknown): string | undefined => NAMED.get(lower(name));

/** What a card shows; `summary` (the message's) titles a card that has no title of its own. */
export function adaptiveCardNotification(cards: readonly Json[], summary: string): Notification {
  const out: Walk = { lines: [], fields: [], links: [] };
  for (const card of cards) {
    each(card.body, out);
    each(card.actions, out);
  }
  const title = out.title ?? plainMarkdownTitle(summary);
  const badges = out.badge && !title.includes(out.badge) ? [out.badge] : [];
  return { title, text: out.lines.join("\n"), badges, fields: out.fields, links: out.links };
}

function each(list: unknown, out: Walk): void {
  if (Array.isArray(list)) for (const el of list) element(el, out);
}

function element(el: unknown, out: Walk): void {
  if (!isRecord(el)) return;
  out.badge ??= namedColorBadge(el.style);
  switch (el.type) {
    case "TextBlock":
      return textBlock(el, out);
    case "RichTextBlock":
      return line(
        (Array.isArray(el.inlines) ? el.inlines : []).map((i) => (typeof i === "string" ? i : textIn(isRecord(i) ? i.text : ""))).join(""),
        out,
      );
    case "FactSet":
      for (const f of Array.isArray(el.facts) ? el.facts : [])
        if (isRecord(f)) out.fields.push({ name: plainMarkdownTitle(textIn(f.title)), value: plainMarkdown(textIn(f.value)) });
      return;
    case "Image":
      if (lower(el.style) !== "person" && textIn(el.url)) out.links.push({ url: textIn(el.url), label: textIn(el.altText) || undefined });
      return;
    case "Action.OpenUrl":
      if (textIn(el.url)) out.links.push({ url: textIn(el.url), label: textIn(el.title) || undefined });
      return;
    case "Action.ShowCard":
      return isRecord(el.card) ? (each(el.card.body, out), each(el.card.actions, out)) : undefined;
    case "Badge":
      return line(textIn(el.text), out);
  }
  // Containers: Container and Column `items`, ColumnSet `columns`, ImageSet `images`, ActionSet `actions`, Table rows and cells.
  for (const key of ["items", "columns", "images", "actions", "rows", "cells"]) each(el[key], out);
}

function textBlock(el: Json, out: Walk): void {
  const text = textIn(el.text);
  const heading = lower(el.weight) === "bolder" || ["large", "extralarge"].includes(lower(el.size));
  if (out.title === undefined && out.lines.length === 0 && heading && text.trim() !== "") {
    out.title = plainMarkdownTitle(text);
    out.badge = namedColorBadge(el.color) ?? out.badge;
    return;
  }
  line(text, out);
}

function line(text: string, out: Walk): void {
  if (text.trim() !== "") out.lines.push(plainMarkdown(text).trim());
}
