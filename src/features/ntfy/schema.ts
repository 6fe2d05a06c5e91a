/** `preset: ntfy` in routes.yaml: the keys of the entry, and the route they check into. */
import { Type } from "@sinclair/typebox";
import { recipientsSchema as recipients, type RouteRoomEntries } from "../../config/route-recipients.ts";
import { Closed } from "../../config/schema.ts";
import { AccessSchema, SubscribeSchema, type SubscribeSettings, type TopicAccess } from "./subscribe-schema.ts";

export const NtfyRouteSchema = Closed({
  preset: Type.Literal("ntfy", {
    description: "Serves ntfy's publish API: what ntfy's integrations, Apprise's and Shoutrrr's `ntfy://` URLs send.",
  }),
  path: Type.Optional(
    Type.String({
      pattern: "^/",
      description: "Where the ntfy server's root is: topics are `<path>/<topic>`, JSON publishes go to the path itself (default `/`).",
    }),
  ),
  to: Type.Optional(
    recipients(
      "Who gets the messages of every topic not listed under `topics`: one JID, a room entry `{ room: JID, nick?, password? }`, or a list of them.",
    ),
  ),
  topics: Type.Optional(
    Type.Record(Type.String(), recipients(), {
      description:
        "Topic name (ntfy's `[-_A-Za-z0-9]{1,64}`) -> one JID, a room entry or a list: who gets that topic's messages instead of `to`.",
    }),
  ),
  auth: Type.Optional(
    Type.String({
      description: "The name of an auth scheme from `auth:`; ntfy's `?auth=` parameter is read as the Authorization header it encodes.",
    }),
  ),
  subscribe: Type.Optional(SubscribeSchema),
  access: Type.Optional(AccessSchema),
  name: Type.Optional(Type.String({ description: "Shown in logs; defaults to `ntfy <path>`." })),
  shared_root: Type.Optional(
    Type.Boolean({
      description:
        "`true`: other routes' paths under this root are meant (Apprise's `ntfy://` posts to `/`), so `check` does not warn that `to:` shares it. A topic named as their first segment stays theirs either way.",
    }),
  ),
});

/** A `preset: ntfy` entry, checked. */
export interface NtfyRoute {
  kind: "ntfy";
  at: string;
  name: string;
  /** The root, without a trailing slash but `/` itself. */
  path: string;
  auth: string | undefined;
  /** Recipients of a topic not in `topics`; undefined: such a topic is refused (404). */
  to: readonly string[] | undefined;
  topics: Readonly<Record<string, readonly string[]>>;
  /** The rooms among `to` and `topics`, by bare JID: entered, posted to as groupchat. */
  rooms: RouteRoomEntries;
  /** ntfy's subscribe API, when served (issue 22). */
  subscribe: SubscribeSettings | undefined;
  /** Who may read and write each topic; undefined: every identity the scheme lets in. */
  access: TopicAccess | undefined;
}
