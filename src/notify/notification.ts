import type { Attachment } from "../files/types.ts";

/**
 * A notification as the formats other tools send (ntfy, Gotify, Slack, Discord, Teams, Apprise...)
 * give it, before it is a chat message: each format's feature (src/features/<format>/) reads its
 * sender's payload into this, and one renderer (render.ts) makes every format read alike in a client.
 */
export interface Notification {
  /** Shown first, in bold (XEP-0393 `*title*`). */
  title?: string | undefined;
  /** The message itself, plain text; a format converts its own link syntax to bare URLs first. */
  text: string;
  /** ntfy's scale, 1 (min) to 5 (max), 3 the default; other formats map theirs onto it. 4 and 5 are marked. */
  priority?: number | undefined;
  /** Shown before the title: emojis (a severity, a color, ntfy tags that name one) or short words. */
  badges?: readonly string[] | undefined;
  /** Lines of `name: value` after the text (Slack fields, Teams facts, Discord embed fields). */
  fields?: ReadonlyArray<{ name: string; value: string }> | undefined;
  /** Links after the fields: the click target, actions, images and files (until files are sent as files). */
  links?: ReadonlyArray<{ url: string; label?: string | undefined }> | undefined;
  /** Files and images: one chat message each after the text (XEP-0066 OOB; notify/send.ts). */
  attachments?: readonly Attachment[] | undefined;
}
