/**
 * The keys of a ntfy route that serve ntfy's subscribe API (issue 22): `subscribe:` turns the
 * streams on and bounds them, `access:` says who may read and who may write each topic.
 */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";

export const SubscribeSchema = Closed(
  {
    keepalive_s: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 45,
      description: "Seconds between two `keepalive` events on an idle stream (ntfy's keepalive-interval, 45 s by default).",
    }),
    max_topics: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 100,
      description: "Topics one subscription may name, comma-separated (`/a,b,c/json`); more is ntfy's 40009.",
    }),
    buffer_bytes: Type.Integer({
      minimum: 4096,
      default: 1_048_576,
      description:
        "What one subscriber may have unsent before it is closed as too slow (it resumes with `since=<last id>`): a stalled client never holds the others up, nor more memory than this.",
    }),
    max_subscribers: Type.Integer({
      minimum: 1,
      default: 10_000,
      description: "Streams of this route open at once; past it a new one gets ntfy's 42903 (too many active subscriptions).",
    }),
  },
  "Serves ntfy's subscribe API under the route's root: `GET /<topics>/json`, `/sse`, `/raw`, `/ws`, with `poll=1`, `since=` and the filters (docs/formats.md, ntfy: Subscribing). `subscribe: {}` takes every default.",
);

const Names = (what: string) =>
  Type.Array(Type.String({ minLength: 1 }), {
    description: `Identities (the names the route's auth scheme gives: a user, a token's name) that may ${what}; "*" is every identity the scheme lets in.`,
  });

export const AccessSchema = Type.Record(
  Type.String(),
  Closed(
    { read: Type.Optional(Names("subscribe to the topic")), write: Type.Optional(Names("publish to it")) },
    "Who may read and who may write one topic.",
  ),
  {
    description:
      'Topic name, or "*" for every topic not listed -> `{ read: [...], write: [...] }`. Needs `auth:`. Without `access:` every identity the scheme lets in may read and write; with it, a topic nobody is listed for is closed.',
  },
);

export type SubscribeSettings = Static<typeof SubscribeSchema>;
export type TopicAccess = Static<typeof AccessSchema>;
