/**
 * What ntfy answers a publish with: its `message` (server/types.go of binwiederhier/ntfy v2.13),
 * fields left out when empty as Go's `omitempty` leaves them. `expires` is when this gateway
 * forgets the message's sequence id: until then it can be updated or withdrawn.
 */
import { randomInt } from "node:crypto";
import type { Attachment } from "../../files/types.ts";
import type { Publish } from "./publish.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** ntfy's util.RandomString: `length` characters of [A-Za-z0-9] (12 for a message, 10 for an action). */
export function newMessageId(length = 12): string {
  let id = "";
  for (let i = 0; i < length; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/** `attachment`: what the chat got: the stored file, an `Attach:` URL's link, or the gateway's copy of it (remote.fetch). */
export function messageJson(
  p: Publish,
  at: { id: string; time: number; expires: number },
  attachment: Attachment | undefined,
): Record<string, unknown> {
  return {
    id: at.id,
    time: at.time,
    expires: at.expires,
    event: "message",
    topic: p.topic,
    ...(p.title ? { title: p.title } : {}),
    message: p.message,
    ...(p.priority ? { priority: p.priority } : {}),
    ...(p.tags.length ? { tags: p.tags } : {}),
    ...(p.click ? { click: p.click } : {}),
    ...(p.icon ? { icon: p.icon } : {}),
    ...(p.actions.length ? { actions: p.actions.map((a) => ({ id: newMessageId(10), ...a })) } : {}),
    ...(attachment ? { attachment: attachmentJson(attachment) } : {}),
    ...(p.markdown ? { content_type: "text/markdown" } : {}),
    ...(p.sequenceId ? { sequence_id: p.sequenceId } : {}),
  };
}

/** ntfy's `attachment`: a stored file's name, type, size and URL; a link's name and URL. */
function attachmentJson(a: Attachment): Record<string, unknown> {
  if (a.kind === "file") return { name: a.file.name, type: a.file.type, size: a.file.size, url: a.file.url };
  return { name: a.name, url: a.url };
}
