/**
 * The topics (src/topics/): one per gateway, kept across reloads as the files store is, so that
 * live subscribers outlive a reload; each generation sets the cache's limits (`topics:`).
 */
import { SHUTTING_DOWN } from "../topics/bus.ts";
import { GatewayTopics } from "../topics/topics.ts";
import type { Topics } from "../topics/types.ts";
import type { GenerationDeps } from "./deps.ts";

/** Its key among what the gateway keeps across generations (a name no feature has). */
const KEPT = "(topics)";

export function gatewayTopics(deps: GenerationDeps): Topics {
  if (!deps.kept.has(KEPT)) {
    const topics = new GatewayTopics(deps.store, { failed: deps.storeFailed });
    deps.metrics.topics(() => topics.stats());
    deps.kept.set(KEPT, topics);
  }
  const topics = deps.kept.get(KEPT) as GatewayTopics;
  const { cache_duration_s, max_events, max_bytes } = deps.config.topics;
  topics.configure({ durationS: cache_duration_s, maxRows: max_events, maxBytes: max_bytes });
  return topics;
}

/** Shutdown: every live subscriber is closed (it resumes with since= from the next gateway). */
export function closeTopics(kept: ReadonlyMap<string, unknown>): void {
  (kept.get(KEPT) as GatewayTopics | undefined)?.closeAll(SHUTTING_DOWN);
}
