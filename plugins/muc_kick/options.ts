/** The options of a `plugin: muc_kick` route: the single source of their types, defaults and docs. */
import { Type, type Static } from "@sinclair/typebox";

export const MucKickOptionsSchema = Type.Object(
  {
    action: Type.Union([Type.Literal("kick"), Type.Literal("ban")], {
      default: "kick",
      description:
        "`kick` takes the occupant's role (XEP-0045 §8.2, role none, status 307); `ban` sets the user's affiliation to outcast (§9.1, status 301). Declare a second route with `action: ban` and its own path for banning.",
    }),
    nick: Type.String({
      minLength: 1,
      default: "Stanzagate",
      description: "The nickname the gateway joins rooms with. When another user holds it, one retry adds a random suffix.",
    }),
    resource: Type.Optional(
      Type.String({
        minLength: 1,
        pattern: "^[^\\s/]+$",
        description:
          "The resource of the gateway's real JID in rooms (`<component>/<resource>`); default: the route's path without its first slash (`muc_kick`). Each muc_kick route needs its own. The bare JID is the component domain: that is the address to make a MUC admin.",
      }),
    ),
    passwords: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: "Room JID -> password, for password-protected rooms (XEP-0045 §7.2.6). Keys are compared case-insensitively.",
    }),
    default_password: Type.Optional(
      Type.String({ description: "Password sent when joining a room not listed in `passwords`." }),
    ),
    timeout_ms: Type.Integer({
      minimum: 100,
      default: 10_000,
      description: "How long to wait for each XMPP answer (disco#info, the join, the kick); past it the request gets 504.",
    }),
    linger_ms: Type.Integer({
      minimum: 0,
      default: 0,
      description:
        "How long the gateway stays in a room after its last kick there, so that a burst of kicks joins once. 0 leaves right after each request.",
    }),
    max_lingering_rooms: Type.Integer({
      minimum: 0,
      default: 50,
      description: "At most this many idle rooms are kept joined while lingering; the least recently used is left first.",
    }),
  },
  { additionalProperties: false },
);

export type MucKickOptions = Static<typeof MucKickOptionsSchema>;
