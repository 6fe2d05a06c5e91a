/**
 * A ntfy publish as the notification a chat client shows, as ntfy's apps show it: tags that name
 * an emoji become that emoji before the title, the other tags a line of their own; priority 4
 * and 5 are marked (src/notify/render.ts); the click URL and the action buttons that open a URL
 * become links; a file (the body) or an `Attach:` URL is a message of its own after the text (XEP-0066).
 *
 * emoji.json is ntfy's tag -> emoji table, server/mailer_emoji_map.json of binwiederhier/ntfy at
 * 81a486ad (v2.13, the table its e-mails use; built from github/gemoji's db/emoji.json, MIT),
 * written compact: `git show 81a486ad:server/mailer_emoji_map.json | jq -c .`
 */
import { plainMarkdown, plainMarkdownTitle } from "../../notify/markdown.ts";
import type { Notification } from "../../notify/notification.ts";
import type { Attachment } from "../../files/types.ts";
import { hasText } from "../../notify/render.ts";
import EMOJI from "./emoji.json";
import { EMPTY_MESSAGE, type Publish } from "./publish.ts";

const emojiOf = (tag: string): string | undefined => (Object.hasOwn(EMOJI, tag) ? (EMOJI as Record<string, string>)[tag] : undefined);

/**
 * ntfy has no "no text" refusal: a message with nothing to show (Markdown that strips to nothing,
 * `[](javascript:x)`) reads as ntfy's empty message does, `triggered`, rather than the shared
 * check's NO_TEXT (notify/send.ts). Only U+FFFD never gets here: publish.ts refuses it (40011).
 */
export function notificationOf(p: Publish, attachments: readonly Attachment[] = []): Notification {
  const n = { ...readNotification(p), attachments };
  return hasText(n) ? n : { ...n, text: EMPTY_MESSAGE };
}

function readNotification(p: Publish): Notification {
  const emojis = p.tags.flatMap((t) => emojiOf(t) ?? []);
  const words = p.tags.filter((t) => emojiOf(t) === undefined);
  return {
    title: p.markdown && p.title !== undefined ? plainMarkdownTitle(p.title) : p.title,
    // Markdown reads as every format's does (notify/markdown.ts): links as `label (url)`, bold as XEP-0393's.
    text: p.markdown ? plainMarkdown(p.message) : p.message,
    priority: p.priority,
    badges: emojis,
    fields: words.length ? [{ name: "Tags", value: words.join(", ") }] : [],
    links: [...(p.click ? [{ url: p.click }] : []), ...p.actions.flatMap((a) => (a.url ? [{ url: a.url, label: a.label }] : []))],
  };
}
