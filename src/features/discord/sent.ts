/**
 * The messages a discord route answered with an id (`?wait=true`), remembered so that a later
 * `PATCH <path>/messages/<id>` corrects what each recipient saw (XEP-0308) and `DELETE` withdraws
 * it (XEP-0424). Kept in the store's bounded, expiring thread memory (store/threads.ts): per
 * route at most 1,000 messages for a day, the oldest forgotten first. A row holds the recipients'
 * message ids and the message itself, whose size Discord's limits bound (2,000 characters of
 * content, 6,000 of embeds), since a PATCH changes only the fields it names.
 */
import type { Remembered } from "../../store/threads.ts";
import type { DiscordMessage } from "./payload.ts";
import type { Attachment } from "../../files/types.ts";

export interface SentMessage {
  /** The id of the first message each recipient got, by JID: what corrections and retractions name. */
  ids: Record<string, string>;
  message: DiscordMessage;
  /** The files it came with (stored), attached again to every correction: the message object's attachments. */
  files: Attachment[];
  timestamp: string;
  edited: string | null;
  /**
   * The JID the recipients' messages came from (the replica's component domain; absent in rows of
   * older versions): clients take a correction or retraction from it alone (XEP-0308 §5, XEP-0424 §6).
   */
  from?: string;
}

export interface SentMessages {
  get(id: string): Promise<SentMessage | undefined>;
  set(id: string, sent: SentMessage): Promise<void>;
  delete(id: string): Promise<void>;
}

/** `namespace` keeps the ids of one route apart from every other thread in the store. */
export function sentMessages(memory: Remembered, namespace: string): SentMessages {
  const key = (id: string) => `${namespace}\n${id}`;
  return {
    async get(id) {
      const row = await memory.get(key(id));
      if (row === undefined) return undefined;
      try {
        const sent = JSON.parse(row) as SentMessage;
        // Rows of versions that named files without storing them carry no attachment to send again.
        return { ...sent, files: (sent.files ?? []).filter((f) => typeof f === "object" && f !== null && "kind" in f) };
      } catch {
        // A row no version of this file wrote: the message is as unknown as a forgotten one.
        return undefined;
      }
    },
    set: (id, sent) => memory.set(key(id), JSON.stringify(sent)),
    delete: (id) => memory.delete(key(id)),
  };
}
