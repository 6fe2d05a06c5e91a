/** The options of a `plugin: muc_kick` route: the single source of their types, defaults and docs. */
import { Type, type Static } from "@sinclair/typebox";

export const MucKickOptionsSchema = Type.Object(
  {
    action: Type.Union([Type.Literal("kick"), Type.Literal("ban")], {
      default: "kick",
      description:
        "`kick` takes the occupant's role (XEP-0045 §8.2, status 307). `ban` sets the user's affiliation to `outcast` (§9.1, status 301). To offer both, declare two routes with different paths.",
    }),
    nick: Type.String({
      minLength: 1,
      default: "Stanzagate",
      description:
        "The nickname the gateway joins rooms with. If another user already holds it, the gateway tries once more with a random suffix (`Stanzagate-x7k2`).",
    }),
    resource: Type.Optional(
      Type.String({
        minLength: 1,
        pattern: "^[^\\s/]+$",
        description:
          "The resource of the gateway's real JID in rooms, `<component>/<resource>`. Default: the route's path without its first `/` (`muc_kick`). Each muc_kick route needs its own (the default gives that). The bare JID is always the component domain, and that is the address the server must trust.",
      }),
    ),
    passwords: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: "Room JID → password, for password-protected rooms (XEP-0045 §7.2.6). Room JIDs are compared case-insensitively.",
    }),
    default_password: Type.Optional(Type.String({ description: "The password sent to rooms not listed in `passwords`." })),
    timeout_ms: Type.Integer({
      minimum: 100,
      default: 10_000,
      description: "The longest wait for each XMPP answer (disco#info, the join, the kick). Past it the request gets 504.",
    }),
    linger_ms: Type.Integer({
      minimum: 0,
      default: 0,
      description:
        "How long the gateway stays in a room after its last request there, so a burst of kicks joins only once. With `0` it leaves right after each request.",
    }),
    max_lingering_rooms: Type.Integer({
      minimum: 0,
      default: 50,
      description: "The most idle rooms kept while lingering. Beyond it, the least recently used room is left first.",
    }),
  },
  { additionalProperties: false },
);

export type MucKickOptions = Static<typeof MucKickOptionsSchema>;
