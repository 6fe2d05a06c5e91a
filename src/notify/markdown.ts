/**
 * Markdown as senders write it (Teams cards, Apprise's `format: markdown`, Grafana's messages) made
 * plain for a chat body: a link becomes its label and its URL standing alone, which every client
 * makes clickable (an XMPP body is plain text: RFC 6121 §5.2.3), and `**bold**` becomes XEP-0393's
 * `*bold*` (§6.2.2), which Conversations, Dino and Gajim show and other clients leave readable.
 */

/** `[label](url)` and `![alt](url)`, with an optional `"title"` after the URL (CommonMark §6.3, §6.4). */
const LINK = /!?\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"\n]*")?\s*\)/g;
/** `<https://…>` autolinks (CommonMark §6.5). */
const AUTOLINK = /<((?:https?|mailto|xmpp):[^>\s]+)>/gi;
/** `**strong**` and `__strong__` on one line (CommonMark §6.2). */
const STRONG = /(\*\*|__)(?=\S)([^\n]*?\S)\1/g;

/** The text with links as `label (url)` (the URL alone when the label is the URL or empty), and strong emphasis as XEP-0393 bold. */
export function plainMarkdown(text: string): string {
  return text
    .replace(LINK, (_m, label: string, url: string) => linkText(label, url))
    .replace(AUTOLINK, "$1")
    .replace(STRONG, "*$2*");
}

/** A title, which the renderer makes bold as a whole: links as in the text, emphasis markers dropped. */
export function plainMarkdownTitle(text: string): string {
  return text
    .replace(LINK, (_m, label: string, url: string) => linkText(label, url))
    .replace(AUTOLINK, "$1")
    .replace(STRONG, "$2");
}

/** How a link with a label reads in plain text. */
export function linkText(label: string, url: string): string {
  const shown = label.trim();
  return shown === "" || shown === url ? url : `${shown} (${url})`;
}
