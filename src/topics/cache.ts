/**
 * The topics' message cache, in the gateway's store so that it survives a restart (issue 22 §2, §5):
 * a subscriber that comes back with `since=<last id>` gets every message it missed, once.
 *
 * Rows are kept in the order they were published (`seq`), which is what a cursor counts in: ntfy's
 * ids are random (server/util.go randomString), so "after an id" means after that id's row.
 * Bounded per topic in rows and bytes (the oldest go first) and kept `cache_duration` (ntfy's
 * `cache-duration`, 12 h by default, docs/config.md "Message caching").
 */
import type { Store, TopicStart } from "../store/types.ts";
import type { Cursor, EventFilter, TopicEvent } from "./types.ts";
import { matches } from "./filter.ts";

export interface CacheLimits {
  /** Seconds an event is kept (ntfy's cache-duration). */
  durationS: number;
  /** Events kept per topic, the oldest forgotten first. */
  maxRows: number;
  /** Bytes of event JSON kept per topic, the oldest forgotten first. */
  maxBytes: number;
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { durationS: 12 * 3600, maxRows: 1000, maxBytes: 4 * 1_048_576 };

/** The most events one `cached` call returns: a poll of everything still ends. */
const MAX_READ = 10_000;

export class TopicCache {
  constructor(
    private readonly store: Store,
    /** The current configuration's (a reload may change them: the rows kept stay until trimmed or expired). */
    public limits: CacheLimits,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  get durationS(): number {
    return this.limits.durationS;
  }

  /** Keeps `event` (its id, time and expires set), then trims its topic to the bounds. */
  async put(event: TopicEvent): Promise<void> {
    if (this.limits.durationS === 0) return;
    const row = { id: event.id, topic: event.topic, time: event.time, expires: event.expires ?? event.time + this.limits.durationS };
    await this.store.topics.put({ ...row, json: JSON.stringify(event) }, this.limits);
  }

  /**
   * The cached events of `topics` from `cursor`, oldest first, filtered. An id the cache no longer
   * holds (expired, or never ours) starts at the beginning, as ntfy's cache does for an id it
   * cannot find (message_cache.go messagesSinceID): a subscriber may see a message twice, never
   * miss one.
   */
  async read(topics: readonly string[], cursor: Cursor, filter?: EventFilter): Promise<TopicEvent[]> {
    if (cursor === "none" || topics.length === 0) return [];
    const json = await this.store.topics.read(topics, startOf(cursor), this.now(), MAX_READ);
    const events = json.map((text) => JSON.parse(text) as TopicEvent);
    return filter ? events.filter((e) => matches(e, filter)) : events;
  }

  /** Forgets what expired (the sweep); returns how many. */
  sweep(): Promise<number> {
    return this.store.topics.sweep(this.now());
  }
}

function startOf(cursor: Exclude<Cursor, "none">): TopicStart {
  if (cursor === "all" || cursor === "latest") return cursor;
  return "from" in cursor ? { fromTime: cursor.from } : { afterId: cursor.after };
}
