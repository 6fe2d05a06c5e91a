/**
 * Markdown as senders write it (Teams cards, Apprise's `format: markdown`, Grafana's messages) made
 * plain for a chat body: a link becomes its label and its URL standing alone, which every client
 * makes clickable (an XMPP body is plain text: RFC 6121 §5.2.3), and `**bold**` becomes XEP-0393's
 * `*bold*` (§6.2.2), which Conversations, Dino and Gajim show and other clients leave readable.
 */

/**
 * `[label](url)` and `![alt](url)`, with an optional `"title"` after the URL (CommonMark §6.3, §6.4).
 * The URL may hold balanced parentheses one level deep, up to 8 pairs (§6.3 allows any: these
 * cover Wikipedia's `…_(planet)` and `javascript:alert(1)`, which must read as its label).
 * No part may hold its own opening delimiter (a pair no `(`), so each match attempt stops at the
 * next one, and the pairs are written unrolled and bounded (`run (pair run){0,8}`), so a failed
 * attempt gives back at most 8 of them: linear time on a body of `[[[[`, `((((`, `[a](` and a
 * megabyte of `(x)`, or `**a **a`, where `[^\]]*` or a lazy `.*?` took quadratic time (a megabyte
 * held the event loop for minutes) and an unbounded `(…)*` a second.
 */
const LINK = /!?\[([^[\]\n]*)\]\(\s*<?((?=[^)\s>])[^()\s>]*(?:\([^()\s>]*\)[^()\s>]*){0,8})>?(?:\s+"[^"\n]*")?\s*\)/g;
/** `<https://…>` autolinks (CommonMark §6.5). */
const AUTOLINK = /<((?:https?|mailto|xmpp):[^<>\s]+)>/gi;
/** `**strong**` and `__strong__` on one line (CommonMark §6.2). */
const STRONG_STARS = /\*\*([^*\s](?:[^*\n]*[^*\s])?)\*\*/g;
const STRONG_LINES = /__([^_\s](?:[^_\n]*[^_\s])?)__/g;

/** `# Heading` (CommonMark §4.2, Discord's `#` to `###`): in a title, only its words. */
const HEADING = /^ {0,3}#{1,6} +/gm;

/**
 * The schemes a link may have to be shown as one: the web, mail, XMPP (RFC 5122), places
 * (RFC 5870) and phone numbers (RFC 3966), which chat clients open. Any other target
 * (`javascript:`, `data:`, `file:`, a relative path) is not shown: a link to it reads as its label.
 */
const SHOWN_SCHEMES = /^(?:https?|mailto|xmpp|geo|tel):/i;

/** Whether `url` may be shown as a link (in the text or on a link line of its own). */
export const isShownLink = (url: string): boolean => SHOWN_SCHEMES.test(url.trim());

/** Links as `label (url)` (the URL alone when the label is the URL or empty); autolinks bare. */
export function plainLinks(text: string): string {
  return text.replace(LINK, (_m, label: string, url: string) => linkText(label, url)).replace(AUTOLINK, "$1");
}

/** The text with links made plain (plainLinks), and strong emphasis as XEP-0393 bold. */
export function plainMarkdown(text: string): string {
  return plainLinks(text).replace(STRONG_STARS, "*$1*").replace(STRONG_LINES, "*$1*");
}

/**
 * A title, which the renderer makes bold as a whole (XEP-0393 spans do not nest a second `*`):
 * links as in the text, heading and strong emphasis markers dropped. Every format whose title
 * may carry markup (ntfy with Markdown, Discord, Teams, Apprise) reads it so: `*T*`, not `***T***`.
 */
export function plainMarkdownTitle(text: string): string {
  return plainLinks(text).replace(HEADING, "").replace(STRONG_STARS, "$1").replace(STRONG_LINES, "$1");
}

/** How a link with a label reads in plain text; a target that is not shown (isShownLink) leaves the label. */
export function linkText(label: string, url: string): string {
  const shown = label.trim();
  if (!isShownLink(url)) return shown;
  return shown === "" || shown === url ? url : `${shown} (${url})`;
}
