/** `from_xmpp:` of a `preset: ntfy` entry: the XMPP side of two-way topics, and what it checks into. */
import { Type } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";

/** The `allow:` entry that stands for the topic's own recipients (its JIDs, not its rooms). */
export const RECIPIENTS = "recipients";

export const TopicWritersSchema = Closed({
  jid: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Literal(false)], {
      description:
        "The topic's address, a bare JID on the component's domain (default `<topic>@<component>`): messages to it are published to the topic, and its messages come from it. `false`: no address (its messages come from the component's domain).",
    }),
  ),
  room: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "A room (bare JID) the gateway sits in: what people in `allow:` say there (their real JID must show, XEP-0045 §7.2.3) is published to the topic too.",
    }),
  ),
  allow: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      description:
        "Who may write to the topic: bare JIDs, `*@domain`, `*`, and `recipients` (the topic's own JIDs, the default). `[]` lets nobody; anyone else gets a `forbidden` error.",
    }),
  ),
});

/** A topic's address as checked. */
export interface TopicAddress {
  /** The bare JID, lower-cased. */
  jid: string;
  /** Its local part (the router's row 4, xmpp/router.ts), lower-cased. */
  local: string;
  /** Bare JIDs, `*@domain` or `*`, lower-cased; `recipients` already replaced by the topic's JIDs. */
  allow: readonly string[];
}

/** A room whose messages are published to a topic. */
export interface TopicRoom {
  /** Its bare JID, lower-cased. */
  room: string;
  /** As the topic's address's. */
  allow: readonly string[];
}
