/**
 * The live side of topics: who listens to which topic now. Delivery is a synchronous call of each
 * subscriber's `onEvent`, which only queues (the stream's own bounded buffer, topics/stream-queue.ts);
 * a subscriber whose `onEvent` throws (its buffer overflowed: it stopped reading) is closed with the
 * reason and counted as dropped, and the others get the event all the same (issue 22 §4).
 */
import type { TopicEvent } from "./types.ts";

interface Subscriber {
  topics: ReadonlySet<string>;
  onEvent(e: TopicEvent): void;
  onClose(reason: string): void;
  counted: boolean;
}

/** The reason subscribers are closed with when the gateway stops (a WebSocket's 1001, going away). */
export const SHUTTING_DOWN = "the gateway is shutting down";

export class TopicBus {
  private readonly byTopic = new Map<string, Set<Subscriber>>();
  private live = 0;
  private dropped = 0;

  /** `counted: false`: a listener of the gateway's own (a replay's gap), not a subscriber in the stats. */
  subscribe(
    topics: readonly string[],
    onEvent: (e: TopicEvent) => void,
    onClose: (reason: string) => void,
    { counted = true }: { counted?: boolean } = {},
  ): { close(): void } {
    const sub: Subscriber = { topics: new Set(topics), onEvent, onClose, counted };
    for (const topic of sub.topics) {
      let set = this.byTopic.get(topic);
      if (!set) this.byTopic.set(topic, (set = new Set()));
      set.add(sub);
    }
    if (counted) this.live++;
    return { close: () => this.remove(sub) };
  }

  deliver(event: TopicEvent): void {
    const subs = this.byTopic.get(event.topic);
    if (!subs) return;
    // A copy: a subscriber dropped on the way leaves the set being walked.
    for (const sub of [...subs]) {
      try {
        sub.onEvent(event);
      } catch (err) {
        if (!this.remove(sub)) continue;
        this.dropped++;
        sub.onClose(err instanceof Error ? err.message : String(err));
      }
    }
  }

  closeAll(reason: string): void {
    const all = new Set([...this.byTopic.values()].flatMap((subs) => [...subs]));
    for (const sub of all) if (this.remove(sub)) sub.onClose(reason);
  }

  stats(): { subscribers: number; dropped: number } {
    return { subscribers: this.live, dropped: this.dropped };
  }

  /** Whether it was still subscribed: closing twice counts once. */
  private remove(sub: Subscriber): boolean {
    let found = false;
    for (const topic of sub.topics) {
      const set = this.byTopic.get(topic);
      if (!set?.delete(sub)) continue;
      found = true;
      if (set.size === 0) this.byTopic.delete(topic);
    }
    if (found && sub.counted) this.live--;
    return found;
  }
}
