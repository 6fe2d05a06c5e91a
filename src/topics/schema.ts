/**
 * The `topics:` section of routes.yaml (issue 22): how long and how much of each topic's events
 * the store keeps for subscribers that come back with `since=`. Every key has a default: a
 * gateway whose ntfy route serves `subscribe:` keeps 12 h, as ntfy's cache-duration does.
 */
import { Type, type Static } from "@sinclair/typebox";

export const TopicsSchema = Type.Object(
  {
    cache_duration_s: Type.Integer({
      minimum: 0,
      default: 43_200,
      description:
        "Seconds a topic's event is kept for `since=` (ntfy's cache-duration, 12 h by default); 0 keeps none, live streams only.",
    }),
    max_events: Type.Integer({
      minimum: 1,
      default: 1000,
      description: "Events kept per topic, the oldest forgotten first.",
    }),
    max_bytes: Type.Integer({
      minimum: 1024,
      default: 4_194_304,
      description: "Bytes of events kept per topic (their JSON), the oldest forgotten first.",
    }),
  },
  {
    additionalProperties: false,
    description: "The cache of topics' events (ntfy's subscribe API: since=, poll=1), in the store: it survives restarts.",
  },
);

export type TopicsConfig = Static<typeof TopicsSchema>;
