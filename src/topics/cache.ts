/**
 * The topics' message cache, in the gateway's store so that it survives a restart (issue 22 §2, §5):
 * a subscriber that comes back with `since=<last id>` gets every message it missed, once.
 *
 * Rows are kept in the order they were published (`seq`), which is what a cursor counts in: ntfy's
 * ids are random (server/util.go randomString), so "after an id" means after that id's row.
 * Bounded per topic in rows and bytes (the oldest go first) and kept `cache_duration` (ntfy's
 * `cache-duration`, 12 h by default, docs/config.md "Message caching").
 */
import type { Database } from "bun:sqlite";
import type { Cursor, EventFilter, TopicEvent } from "./types.ts";
import { matches } from "./filter.ts";

/** Schema migration (store/db.ts): one row per event, its JSON as subscribers get it. */
export function migrateTopicEvents(db: Database): void {
  db.run(`CREATE TABLE topic_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  time INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  event TEXT NOT NULL
)`);
  db.run("CREATE INDEX topic_events_by_topic ON topic_events (topic, seq)");
  db.run("CREATE INDEX topic_events_by_expiry ON topic_events (expires)");
}

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

type Row = { event: string };

export class TopicCache {
  constructor(
    private readonly db: Database,
    /** The current configuration's (a reload may change them: the rows kept stay until trimmed or expired). */
    public limits: CacheLimits,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  get durationS(): number {
    return this.limits.durationS;
  }

  /** Keeps `event` (its id, time and expires set), then trims its topic to the bounds. */
  put(event: TopicEvent): void {
    if (this.limits.durationS === 0) return;
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json);
    this.db.transaction(() => {
      this.db
        .query("INSERT INTO topic_events (id, topic, time, expires, bytes, event) VALUES (?, ?, ?, ?, ?, ?)")
        .run(event.id, event.topic, event.time, event.expires ?? event.time + this.limits.durationS, bytes, json);
      this.trim(event.topic);
    })();
  }

  /** The cached events of `topics` from `cursor`, oldest first, filtered. */
  read(topics: readonly string[], cursor: Cursor, filter?: EventFilter): TopicEvent[] {
    if (cursor === "none" || topics.length === 0) return [];
    const marks = topics.map(() => "?").join(",");
    const now = this.now();
    let rows: Row[];
    // ntfy's `latest` is each topic's last message (server.go sendOldMessages asks topic by topic).
    if (cursor === "latest") {
      rows = this.db
        .query<Row, (string | number)[]>(
          `SELECT event FROM topic_events WHERE seq IN (SELECT MAX(seq) FROM topic_events WHERE topic IN (${marks}) AND expires > ? GROUP BY topic) ORDER BY seq`,
        )
        .all(...topics, now);
    } else {
      const [where, arg] = this.start(cursor);
      rows = this.db
        .query<Row, (string | number)[]>(
          `SELECT event FROM topic_events WHERE topic IN (${marks}) AND expires > ? AND ${where} ORDER BY seq LIMIT ${MAX_READ}`,
        )
        .all(...topics, now, arg);
    }
    const events = rows.map((r) => JSON.parse(r.event) as TopicEvent);
    return filter ? events.filter((e) => matches(e, filter)) : events;
  }

  /** Forgets what expired (the sweep); returns how many. */
  sweep(): number {
    return this.db.query("DELETE FROM topic_events WHERE expires <= ?").run(this.now()).changes;
  }

  /**
   * Where a cursor starts. An id the cache no longer holds (expired, or never ours) starts at the
   * beginning, as ntfy's cache does for an id it cannot find (message_cache.go messagesSinceID):
   * a subscriber may see a message twice, never miss one.
   */
  private start(cursor: { after: string } | { from: number } | "all"): [string, string | number] {
    if (cursor === "all") return ["seq > ?", 0];
    if ("from" in cursor) return ["time >= ?", cursor.from];
    const at = this.db.query<{ seq: number }, [string]>("SELECT seq FROM topic_events WHERE id = ?").get(cursor.after);
    return ["seq > ?", at?.seq ?? 0];
  }

  /** The topic's rows past maxRows, then past maxBytes, oldest first. */
  private trim(topic: string): void {
    const { maxRows, maxBytes } = this.limits;
    this.db
      .query(
        "DELETE FROM topic_events WHERE topic = ?1 AND seq <= (SELECT seq FROM topic_events WHERE topic = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
      )
      .run(topic, maxRows);
    const over = this.db
      .query<{ seq: number | null }, [string, number]>(
        `SELECT MAX(seq) AS seq FROM (SELECT seq, SUM(bytes) OVER (ORDER BY seq DESC) AS total FROM topic_events WHERE topic = ?) WHERE total > ?`,
      )
      .get(topic, maxBytes);
    if (over?.seq != null) this.db.query("DELETE FROM topic_events WHERE topic = ? AND seq <= ?").run(topic, over.seq);
  }
}
