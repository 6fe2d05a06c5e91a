/**
 * A stream's replay and its live events meet once (issue 26, flaky since=all): an event another
 * replica published can be in the cache the replay read and yet have its notification arrive
 * after the stream subscribed (store/postgres/fanout.ts: the row commits before the NOTIFY, which
 * a listener hears when it hears it). A stream gives each message once, in order: a live event
 * whose id the replay already sent (in its place) is dropped here.
 *
 * Bounded: the newest MAX_REPLAYED ids of the replay are remembered, each forgotten once its late
 * copy came (the bus delivers an id at most once per replica). A late copy comes for the newest
 * events, whose NOTIFY was still on its way; one older than that (a listener's catch-up after a
 * long outage) may be seen twice, which ntfy allows for a resumed stream (never one missed).
 */
import type { TopicEvent } from "./types.ts";

/** More than one topic's default cache (1000 rows): a replay's whole tail. */
const MAX_REPLAYED = 2_000;

/** `onEvent` for the live side, without the events of `replayed` (oldest first) again. */
export function afterReplay(
  replayed: readonly TopicEvent[],
  onEvent: (e: TopicEvent) => void,
  max = MAX_REPLAYED,
): (e: TopicEvent) => void {
  const sent = new Set(replayed.slice(-max).map((e) => e.id));
  if (sent.size === 0) return onEvent;
  return (e) => {
    if (sent.delete(e.id)) return;
    onEvent(e);
  };
}
