/**
 * What ntfy answers a publish with: its `message` (server/types.go of binwiederhier/ntfy v2.13),
 * fields left out when empty as Go's `omitempty` leaves them. `expires` is when the topic's cache
 * forgets the event (topics.cache_duration_s), as ntfy answers it and as subscribers are sent it.
 */
import { newEventId } from "../../topics/topics.ts";
import type { TopicEvent } from "../../topics/types.ts";
import type { Attachment } from "../../files/types.ts";
import type { Publish } from "./publish.ts";

/** ntfy's util.RandomString (12 characters for a message, 10 for an action): the topics' ids. */
export const newMessageId = newEventId;

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

/** What the topic's subscribers get of a publish (issue 22): the fields ntfy's subscribe API streams, the attachment as answered. */
export function topicEventOf(p: Publish, attachment: Attachment | undefined): Omit<TopicEvent, "id" | "time" | "expires"> {
  return {
    event: "message",
    topic: p.topic,
    message: p.message,
    title: p.title,
    priority: p.priority,
    ...(p.tags.length ? { tags: p.tags } : {}),
    click: p.click,
    ...(attachment ? { attachment: attachmentJson(attachment) } : {}),
    sequence_id: p.sequenceId,
    source: "http",
  };
}

/** ntfy's `attachment`: a stored file's name, type, size and URL; a link's name and URL. */
function attachmentJson(a: Attachment): NonNullable<TopicEvent["attachment"]> {
  if (a.kind === "file") return { name: a.file.name, type: a.file.type, size: a.file.size, url: a.file.url };
  // ntfy's attachment always has a name: a link's own, else ntfy's default.
  return { name: a.name ?? "attachment", url: a.url };
}
