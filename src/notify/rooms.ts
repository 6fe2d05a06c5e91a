/**
 * Rooms among a sender format's recipients (`to: [{ room: ops@conference.example.org }]`). A format
 * feature posts there as a declarative route's groupchat does (rooms/route-rooms.ts): it enters
 * the room first (XEP-0045 §7.2, a groupchat is only taken from an occupant, §7.4), takes the
 * room's echo as the proof of delivery, enters again after a reconnect, queues while offline and
 * enters when the outbox reaches the message, and hands its seats to the next configuration.
 */
import type { Element } from "ltx";
import type { RouteRoomEntries } from "../config/route-recipients.ts";
import type { FeatureContext, FeatureRuntime, RouteBase } from "../feature-api.ts";
import { RouteRooms, type RouteRoomSettings, type RouteSeats } from "../rooms/route-rooms.ts";

/** A checked route of a sender format: its room entries, by bare JID (config/route-recipients.ts). */
interface RoomRoute extends RouteBase {
  readonly rooms?: RouteRoomEntries;
}

/** One route's rooms, as notify/send.ts posts to them. */
export interface GroupchatPort {
  isRoom(jid: string): boolean;
  /** Enters the room now (online), or rejects with its refusal: before anything is sent. */
  enter(room: string): Promise<void>;
  /** Sends a groupchat message to its room: sent with the room's echo, or queued while offline. */
  post(stanza: Element): Promise<{ outcome: "sent" | "queued"; echo?: Element }>;
}

export interface FormatRooms {
  /** The route's rooms; undefined for a route without any. */
  port(route: RoomRoute): GroupchatPort | undefined;
  /** What the feature's runtime adds: enter again after a reconnect, hand over, enter for the outbox. */
  runtime: Pick<FeatureRuntime, "online" | "handover" | "beforeSend">;
}

/**
 * The rooms of the routes of `kinds` (the feature's), one occupant JID per feature
 * (`<component>/stanzagate-<feature>`): a queued groupchat is entered by the feature that wrote it.
 */
export async function formatRooms(ctx: FeatureContext, feature: string, kinds: readonly string[]): Promise<FormatRooms> {
  const timeoutMs = ctx.config.xmpp.iq_timeout_ms;
  const settings = new Map<string, RouteRoomSettings>();
  for (const route of ctx.routes as readonly RoomRoute[])
    if (kinds.includes(route.kind))
      for (const [room, entry] of Object.entries(route.rooms ?? {}))
        settings.set(keyOf(route, room), { route: keyOf(route, room), nick: entry.nick, password: () => entry.password, timeoutMs });
  if (settings.size === 0 && ctx.previous === undefined) return { port: () => undefined, runtime: {} };
  const from = `${ctx.config.xmpp.component}/stanzagate-${feature}`;
  const log = ctx.log.child({ part: "rooms" });
  ctx.xmpp.rooms.occupant({ from, nick: "Stanzagate", password: () => undefined, timeoutMs, lingerMs: 0, maxLingering: 0, log });
  const rooms = new RouteRooms({
    rooms: ctx.xmpp.rooms,
    from,
    deliver: ctx.gateway.deliver,
    isOnline: ctx.gateway.isOnline,
    log,
    routes: settings,
    timeoutMs,
  });
  if (ctx.previous) await rooms.adopt(ctx.previous as RouteSeats);
  return {
    port: (route) => (route.rooms && Object.keys(route.rooms).length ? portOf(route, rooms, settings) : undefined),
    runtime: { online: () => rooms.online(), handover: () => rooms.handover(), beforeSend: (row) => rooms.beforeSend(row) },
  };
}

function portOf(route: RoomRoute, rooms: RouteRooms, settings: ReadonlyMap<string, RouteRoomSettings>): GroupchatPort {
  const of = (room: string): RouteRoomSettings => {
    const found = settings.get(keyOf(route, room.toLowerCase()));
    // isRoom said yes first: a room not among the route's is a fault of the caller.
    if (!found) throw new Error(`${route.at}: ${room} is not one of the route's rooms`);
    return found;
  };
  return {
    isRoom: (jid) => Object.hasOwn(route.rooms ?? {}, jid.toLowerCase()),
    enter: (room) => rooms.enter(room, of(room)),
    post: (stanza) => rooms.post(stanza, of(stanza.attrs.to ?? "")),
  };
}

/** A seat kept across a reload belongs to the same route (kind and path) posting to the same room. */
const keyOf = (route: RouteBase, room: string): string => `${route.kind} ${route.path} ${room}`;
