/**
 * ntfy's filters on a subscription (docs/subscribe/api.md "Filter messages"; server.go
 * queryFilter.Pass): every one given must pass. `message` and `title` are exact matches, `tags`
 * must all be on the message, `priority` any of the listed (a message without one has 3).
 */
import type { EventFilter, TopicEvent } from "./types.ts";

/** ntfy's default priority, what a message without one is filtered as. */
const DEFAULT_PRIORITY = 3;

export function matches(event: TopicEvent, filter: EventFilter): boolean {
  // "filters only apply to messages" (queryFilter.Pass): a deletion reaches every subscriber of the topic.
  if (event.event !== "message") return true;
  if (filter.ids !== undefined && !filter.ids.includes(event.id)) return false;
  if (filter.message !== undefined && event.message !== filter.message) return false;
  if (filter.title !== undefined && event.title !== filter.title) return false;
  if (filter.priorities !== undefined && !filter.priorities.includes(event.priority ?? DEFAULT_PRIORITY)) return false;
  const tags = event.tags ?? [];
  return filter.tags === undefined || filter.tags.every((t) => tags.includes(t));
}
