/**
 * Files and images as chat messages (issue 21 §4): one message per attachment whose `<body>` is
 * exactly the URL and whose XEP-0066 `<x xmlns="jabber:x:oob">` carries it with the file name as
 * description. Conversations, Dino, Gajim and Monal show such a message as the image (or a file
 * card) itself; any other client shows a link. The notification's text goes in its own message
 * before them: a body that is not exactly the URL is shown as text with a link.
 *
 * What a sender's format remembers of a notification (Notified.ids, per recipient) is one string:
 * the text message's id first, then each attachment message's after a comma (`""` first when
 * there was no text), each `<ours>[ <room's stanza-id>]`. A notification without files keeps
 * exactly the id it always had; a correction or a retraction reads the others from it.
 */
import type { Element } from "ltx";
import { xml } from "../kit/xml.ts";
import type { Attachment } from "../files/types.ts";

/** XEP-0066 §3: the x:oob element of a message. */
const NS_OOB = "jabber:x:oob";

/** The URL a client fetches, and the name shown for it. */
function attachmentLink(a: Attachment): { url: string; name: string | undefined } {
  return a.kind === "file" ? { url: a.file.url, name: a.file.name } : { url: a.url, name: a.name };
}

/** The body and the OOB element of an attachment's message. */
export function attachmentContent(a: Attachment): { body: string; extra: Element[] } {
  const { url, name } = attachmentLink(a);
  const desc = name ? [xml("desc", {}, name)] : [];
  return { body: url, extra: [xml("x", { xmlns: NS_OOB }, xml("url", {}, url), ...desc)] };
}

/** The remembered messages of one recipient: the text's (undefined without text) and the attachments'. */
export interface RememberedMessages {
  text: string | undefined;
  files: string[];
}

export function readRemembered(remembered: string | undefined): RememberedMessages {
  if (remembered === undefined) return { text: undefined, files: [] };
  const [text = "", ...files] = remembered.split(",");
  return { text: text === "" ? undefined : text, files };
}

export function writeRemembered(m: RememberedMessages): string {
  return [m.text ?? "", ...m.files].join(",");
}

type Ids = Readonly<Record<string, string>>;

/**
 * What a format remembers after a correction sent `sent` (Notified.ids) in place of `before`, per
 * recipient and per place (the text, the n-th file): a place corrected keeps the first message's
 * id (XEP-0308 §4: a correction always names the first), a place sent new adds its message's, a
 * place withdrawn is forgotten, so a file later put there is a new message, never a correction
 * of a retracted one. A recipient this send did not reach keeps what it had: a withdrawal still
 * reaches it. Every format that corrects (ntfy's sequence ids, Discord's PATCH) remembers this.
 */
export function rememberedAfter(before: Ids | undefined, sent: Ids): Record<string, string> {
  const merged: Record<string, string> = { ...before };
  for (const [jid, ids] of Object.entries(sent)) {
    const was = readRemembered(before?.[jid]);
    const now = readRemembered(ids);
    merged[jid] = writeRemembered({
      text: now.text === undefined ? undefined : (was.text ?? now.text),
      files: now.files.map((id, i) => was.files[i] || id),
    });
  }
  return merged;
}
