/**
 * Slack mrkdwn and Mattermost Markdown as plain text that every XMPP client shows well: links
 * become `label <url>` (RFC 3986 Appendix C: angle brackets delimit a URI in plain text, and
 * clients make the URI inside clickable), mentions their names, Markdown's `**strong**` the
 * `*strong*` of XEP-0393 §5.2.2 (which is also Slack's own bold).
 * Slack: https://api.slack.com/reference/surfaces/formatting (controls `<…>` and the three escapes).
 */

/** `<…>` holding a link (`scheme:`) or a control (`!here`, `@U123`, `#C123`): anything else stays as written. */
const SLACK_CONTROL = /<((?:[a-zA-Z][a-zA-Z0-9+.-]*:|[!@#])[^<>\n]*)>/g;
/**
 * `[label](url)` and `![alt](url)`: CommonMark inline links without a title, as senders write them.
 * No part may hold its own delimiter, so every match attempt stops at the next one: linear time
 * on a megabyte of `[[[[` or `****`, where a lazy `.*?` would take quadratic time.
 */
const MARKDOWN_LINK = /!?\[([^[\]\n]*)\]\(([a-zA-Z][a-zA-Z0-9+.-]*:[^()\s]*)\)/g;
/** CommonMark strong emphasis (`**x**`, `__x__`) and GFM strikethrough (`~~x~~`). */
const STRONG_STARS = /\*\*([^*\s](?:[^*\n]*[^*\s])?)\*\*/g;
const STRONG_UNDERSCORES = /__([^_\s](?:[^_\n]*[^_\s])?)__/g;
const STRIKE = /~~([^~\s](?:[^~\n]*[^~\s])?)~~/g;
/** XML 1.0 §2.2 forbids these; a sender's stray control byte is shown as U+FFFD rather than refused. */
const NOT_XML_CHAR = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** A mrkdwn or Markdown string as plain text with XEP-0393 styling. */
export function plainText(text: string): string {
  return xmlSafe(text)
    .replace(SLACK_CONTROL, (_m, inner: string) => control(inner))
    .replace(MARKDOWN_LINK, (_m, label: string, url: string) => link(url, label))
    .replace(STRONG_STARS, "*$1*")
    .replace(STRONG_UNDERSCORES, "*$1*")
    .replace(STRIKE, "~$1~")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Text as it was written (Block Kit `plain_text`), only made safe for XML, with one kind of line break (apprise sends CRLF). */
export function xmlSafe(text: string): string {
  return text.toWellFormed().replace(/\r\n?/g, "\n").replace(NOT_XML_CHAR, "\ufffd");
}

/** `url` shown with its label: the label alone says nothing a reader can follow. */
export function link(url: string, label?: string): string {
  const name = label?.trim();
  if (!name || name === url || `mailto:${name}` === url || url.replace(/^[a-z]+:\/\//i, "").replace(/\/$/, "") === name) return url;
  return `${name} <${url}>`;
}

/** `<!here>`, `<!subteam^ID|@team>`, `<!date^…|fallback>`, `<@U123|ana>`, `<#C1|ops>`, `<url|label>`. */
function control(inner: string): string {
  const bar = inner.indexOf("|");
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  const sigil = target[0];
  if (sigil === "!") {
    if (target.startsWith("!date")) return label ?? "";
    return `@${(label ?? target.slice(1).split("^")[0] ?? "").replace(/^@/, "")}`;
  }
  if (sigil === "@" || sigil === "#") return label ? `${sigil}${label.replace(/^[@#]/, "")}` : target;
  return link(target, label);
}
