/**
 * Markdown as senders write it (Teams cards, Apprise's `format: markdown`, Grafana's messages) made
 * plain for a chat body: a link becomes its label and its URL standing alone, which every client
 * makes clickable (an XMPP body is plain text: RFC 6121 §5.2.3), and `**bold**` becomes XEP-0393's
 * `*bold*` (§6.2.2), which Conversations, Dino and Gajim show and other clients leave readable.
 */

/**
 * `[label](url)` and `![alt](url)`, with an optional `"title"` after the URL (CommonMark §6.3, §6.4).
 * No part may hold its own opening delimiter, so each match attempt stops at the next one: linear
 * time on a body of `[[[[` or `**a **a`, where `[^\]]*` or a lazy `.*?` took quadratic time (a
 * megabyte held the event loop for minutes).
 */
const LINK = /!?\[([^[\]\n]*)\]\(\s*<?([^()\s>]+)>?(?:\s+"[^"\n]*")?\s*\)/g;
/** `<https://…>` autolinks (CommonMark §6.5). */
const AUTOLINK = /<((?:https?|mailto|xmpp):[^<>\s]+)>/gi;
/** `**strong**` and `__strong__` on one line (CommonMark §6.2). */
const STRONG_STARS = /\*\*([^*\s](?:[^*\n]*[^*\s])?)\*\*/g;
const STRONG_LINES = /__([^_\s](?:[^_\n]*[^_\s])?)__/g;

/** The text with links as `label (url)` (the URL alone when the label is the URL or empty), and strong emphasis as XEP-0393 bold. */
export function plainMarkdown(text: string): string {
  return text
    .replace(LINK, (_m, label: string, url: string) => linkText(label, url))
    .replace(AUTOLINK, "$1")
    .replace(STRONG_STARS, "*$1*")
    .replace(STRONG_LINES, "*$1*");
}

/** A title, which the renderer makes bold as a whole: links as in the text, emphasis markers dropped. */
export function plainMarkdownTitle(text: string): string {
  return text
    .replace(LINK, (_m, label: string, url: string) => linkText(label, url))
    .replace(AUTOLINK, "$1")
    .replace(STRONG_STARS, "$1")
    .replace(STRONG_LINES, "$1");
}

/** How a link with a label reads in plain text. */
export function linkText(label: string, url: string): string {
  const shown = label.trim();
  return shown === "" || shown === url ? url : `${shown} (${url})`;
}
