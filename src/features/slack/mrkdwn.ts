/**
 * Slack mrkdwn and Mattermost Markdown as plain text that every XMPP client shows well: a link reads
 * as every format's does (`label (url)`, notify/markdown.ts), a mention as its name, Markdown's
 * `**strong**` as the `*strong*` of XEP-0393 §5.2.2 (which is also Slack's own bold).
 * Slack: https://api.slack.com/reference/surfaces/formatting (controls `<…>` and the three escapes).
 */
import { linkText, plainMarkdown } from "../../notify/markdown.ts";

/**
 * `<…>` holding a link (`scheme:`) or a control (`!here`, `@U123`, `#C123`): anything else stays as
 * written. No `<` inside, so each attempt stops at the next one: linear time on any input.
 */
const SLACK_CONTROL = /<((?:[a-zA-Z][a-zA-Z0-9+.-]*:|[!@#])[^<>\n]*)>/g;
/** mrkdwn's `*bold*` (and Markdown's, once plainText made it so), with XEP-0393 §6.2.2's edges. */
const BOLD = /\*([^*\s](?:[^*\n]*[^*\s])?)\*/g;
/** GFM strikethrough (`~~x~~`) as XEP-0393's `~x~` (Slack's own), linear as above. */
const STRIKE = /~~([^~\s](?:[^~\n]*[^~\s])?)~~/g;

/** A mrkdwn or Markdown string as plain text with XEP-0393 styling. */
export function plainText(text: string): string {
  return plainMarkdown(asWritten(text).replace(SLACK_CONTROL, (_m, inner: string) => control(inner)))
    .replace(STRIKE, "~$1~")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** A title, which the renderer makes bold as a whole: a bold span inside would break it, as in every format (notify/markdown.ts plainMarkdownTitle). */
export const unbold = (title: string): string => title.replace(BOLD, "$1");

/**
 * Text as it was written (Block Kit `plain_text`), with one kind of line break (apprise sends
 * CRLF). Characters XML cannot carry are not replaced here: read.ts refuses them, as every format does.
 */
export function asWritten(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/** `url` with its label, unless the label only repeats it (`<https://x.example/|x.example>`, `<mailto:a@b|a@b>`). */
export function link(url: string, label = ""): string {
  const bare = url.replace(/^[a-z]+:(\/\/)?/i, "").replace(/\/$/, "");
  return linkText(label.trim() === bare ? "" : label, url);
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
