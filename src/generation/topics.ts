/** The topics (src/topics/): one per gateway, kept across reloads as the files store is, so that live subscribers outlive a reload. */
import { GatewayTopics } from "../topics/topics.ts";
import type { Topics } from "../topics/types.ts";
import type { GenerationDeps } from "./deps.ts";

/** Its key among what the gateway keeps across generations (a name no feature has). */
const KEPT = "(topics)";

export function gatewayTopics(deps: GenerationDeps): Topics {
  if (!deps.kept.has(KEPT)) deps.kept.set(KEPT, new GatewayTopics(deps.store, { failed: deps.storeFailed }));
  return deps.kept.get(KEPT) as Topics;
}
