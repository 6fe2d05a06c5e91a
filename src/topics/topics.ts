/**
 * One gateway's topics (types.ts `Topics`): the cache in the store and the live bus together.
 * An event is cached before it is delivered, so a subscriber that is told an id can resume after
 * it; ids are ntfy's: 12 random letters and digits (server/util.go, messageIDLength). Replicas
 * sharing a PostgreSQL store hear each other's events (store.fanout, issue 26 §2): delivered
 * here as if published here.
 */
import { randomInt } from "node:crypto";
import { TopicBus } from "./bus.ts";
import { matches } from "./filter.ts";
import { type CacheLimits, DEFAULT_CACHE_LIMITS, TopicCache } from "./cache.ts";
import type { Store } from "../store/types.ts";
import type { Cursor, EventFilter, TopicEvent, Topics } from "./types.ts";

const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ID_LENGTH = 12;
/** Seconds between two sweeps of expired events, run by a publish: reads skip them anyway. */
const SWEEP_EVERY_S = 60;

/** ntfy's util.RandomString: 12 characters of [A-Za-z0-9] for a message (10 for an action). */
export function newEventId(length = ID_LENGTH): string {
  let id = "";
  for (let i = 0; i < length; i++) id += ID_CHARS[randomInt(ID_CHARS.length)];
  return id;
}

export interface TopicsOptions {
  limits?: CacheLimits;
  now?: () => number;
  /** A failed write to the store (storeFailed): the event still reaches live subscribers. */
  failed?(op: string, err: unknown): void;
}

export class GatewayTopics implements Topics {
  private readonly cache: TopicCache;
  private readonly bus = new TopicBus();
  private readonly now: () => number;
  private swept = 0;

  constructor(
    private readonly store: Store,
    private readonly options: TopicsOptions = {},
  ) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.cache = new TopicCache(store, options.limits ?? DEFAULT_CACHE_LIMITS, this.now);
    this.listening = store.fanout.listen((json) => this.bus.deliver(JSON.parse(json) as TopicEvent));
    this.listening.catch((err: unknown) => options.failed?.("topics from other replicas", err));
  }

  /** Resolves once events of other replicas reach this one's subscribers. */
  readonly listening: Promise<void>;

  async publish(event: Omit<TopicEvent, "id" | "time" | "expires">): Promise<TopicEvent> {
    const time = this.now();
    const full: TopicEvent = { id: newEventId(), time, expires: time + this.cache.durationS, ...event };
    try {
      await this.cache.put(full);
    } catch (err) {
      // A full disk costs the replay, not the live delivery: the publisher's message was accepted.
      this.options.failed?.("topics cache", err);
    }
    this.bus.deliver(full);
    await this.announce(full);
    if (time - this.swept >= SWEEP_EVERY_S) void this.sweepQuietly(time);
    return full;
  }

  /**
   * The cache's events, then those delivered while it was being read (an event published
   * meanwhile, here or on another replica, would reach neither the read nor a subscriber made
   * after it), each id once. Callers subscribe in the turn this resolves: no event falls between.
   * Another replica's notification of an event read here can still arrive after that: callers
   * drop it by id (topics/replayed.ts afterReplay).
   */
  async cached(topics: readonly string[], cursor: Cursor, filter?: EventFilter): Promise<TopicEvent[]> {
    if (cursor === "none") return [];
    const during: TopicEvent[] = [];
    const recorder = this.bus.subscribe(
      topics,
      (e) => void during.push(e),
      () => {},
      { counted: false },
    );
    let read: TopicEvent[];
    try {
      read = await this.cache.read(topics, cursor, filter);
    } finally {
      recorder.close();
    }
    const seen = new Set(read.map((e) => e.id));
    return [...read, ...during.filter((e) => !seen.has(e.id) && (!filter || matches(e, filter)))];
  }

  subscribe(topics: readonly string[], onEvent: (e: TopicEvent) => void, onClose: (reason: string) => void): { close(): void } {
    return this.bus.subscribe(topics, onEvent, onClose);
  }

  stats(): { subscribers: number; dropped: number } {
    return this.bus.stats();
  }

  /** Closes every live subscriber with `reason` (not counted as dropped). */
  closeAll(reason: string): void {
    this.bus.closeAll(reason);
  }

  /** A reload's limits: for the events published from now on. */
  configure(limits: CacheLimits): void {
    this.cache.limits = limits;
  }

  /** Forgets expired events. */
  sweep(): Promise<number> {
    return this.cache.sweep();
  }

  /** A replica that misses it still has the event in the cache: its subscribers resume with since=. */
  private async announce(event: TopicEvent): Promise<void> {
    try {
      await this.store.fanout.announce(event.id, JSON.stringify(event));
    } catch (err) {
      this.options.failed?.("topics to other replicas", err);
    }
  }

  private async sweepQuietly(time: number): Promise<void> {
    this.swept = time;
    try {
      await this.cache.sweep();
    } catch (err) {
      this.options.failed?.("topics sweep", err);
    }
  }
}
