// src/topics/types.ts
/** One event of a topic as ntfy's subscribe API sends it (ntfy's `message` JSON, server/types.go). */
export interface TopicEvent {
  /** ntfy's 12-character id: also the cursor `since=<id>` resumes after. */
  id: string;
  /** Unix seconds. */
  time: number;
  /** Unix seconds when the cache lets it go. */
  expires?: number | undefined;
  event: "message" | "message_delete";
  topic: string;
  message?: string | undefined;
  title?: string | undefined;
  priority?: number | undefined;
  tags?: readonly string[] | undefined;
  click?: string | undefined;
  /** ntfy's attachment object (name, type, size, expires, url), when the message carries a file. */
  attachment?: { name: string; type?: string; size?: number; expires?: number; url: string } | undefined;
  /** ntfy's sequence id (updates and deletions of one message share it). */
  sequence_id?: string | undefined;
  /** Who wrote it: "http" (a publisher) or the bare JID of an XMPP sender. Not sent to subscribers. */
  source: string;
}

/** Where `since=` starts: after an id, from a time, everything cached, or only what comes next. */
export type Cursor = { after: string } | { from: number } | "all" | "latest" | "none";

/** ntfy's filters (`id`, `message`, `title`, `priority`, `tags`), already parsed. */
export interface EventFilter {
  ids?: readonly string[];
  message?: string;
  title?: string;
  priorities?: readonly number[];
  tags?: readonly string[];
}

/** The topics' message cache (in the store: survives restarts) and live bus, one per gateway. */
export interface Topics {
  /** Caches, then delivers to live subscribers; returns the event with its id and time set. */
  publish(event: Omit<TopicEvent, "id" | "time" | "expires">): Promise<TopicEvent>;
  /** Cached events of `topics` from `cursor`, oldest first, filtered (poll=1, and a stream's start). */
  cached(topics: readonly string[], cursor: Cursor, filter?: EventFilter): Promise<TopicEvent[]>;
  /**
   * Live events of `topics` from now on; `onEvent` must not block: a subscriber that falls behind
   * more than the bound is closed with `onClose(reason)` (it resumes with since=<last id>).
   */
  subscribe(topics: readonly string[], onEvent: (e: TopicEvent) => void, onClose: (reason: string) => void): { close(): void };
  /** Live subscribers now, and those closed for falling behind since start (for /metrics). */
  stats(): { subscribers: number; dropped: number };
}
