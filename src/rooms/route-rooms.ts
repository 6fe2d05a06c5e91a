/**
 * Groupchat from declarative routes. A message of type "groupchat" to a room is only taken from
 * an occupant (XEP-0045 §7.4), so the gateway enters the room first (§7.2) and stays: a route
 * never releases its seat. The room's echo of the message is the proof it was taken (the 201);
 * a refusal (members-only, banned, no such room, wrong password) is a 4xx/5xx with the reason.
 * After a reconnect every room a route was in is entered again before the outbox drains, so a
 * groupchat queued while the link was down (202) reaches a room the gateway is back in.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { GatewayError, IqTimeoutError, XmppStanzaError, httpStatusOfStanzaError } from "../errors.ts";
import type { Logger } from "../plugin-api/log.ts";
import type { EnterOptions, HeldRoom, RoomsPort } from "../plugin-api/rooms.ts";

export interface RouteRoomsDeps {
  rooms: RoomsPort;
  /** The routes' occupant JID (declared to `rooms` by the caller). */
  from: string;
  deliver(stanza: Element): Promise<"sent" | "queued">;
  isOnline(): boolean;
  log: Logger;
}

/** One route's settings: its nick and room passwords (routes.yaml `nick`, `room_password`, `rooms`). */
export interface RouteRoomSettings {
  nick: string | undefined;
  password(room: string): string | undefined;
  timeoutMs: number;
}

/** §7.2 refusals, told as an HTTP caller can act on them. */
const REASONS: Readonly<Record<string, string>> = {
  "registration-required": "the room is members-only and the gateway is not a member (§7.2.5)",
  forbidden: "the gateway is banned from the room, or may not speak there (§7.2.7, §7.4)",
  // §10.1.2: a room created but not yet configured is locked, and refuses entry the same way.
  "item-not-found": "the room does not exist or is locked (§7.2.1, §10.1.2)",
  gone: "the room does not exist any more",
  conflict: "the nick is taken, also with a suffix (§7.2.9)",
  "not-authorized": "the room needs a password, and routes.yaml has none or a wrong one (§7.2.6)",
  "not-allowed": "the room does not let the gateway in (§7.2.1: no room creation)",
  "service-unavailable": "the room is full (§7.2.10)",
  "not-acceptable": "the room did not take the message: the gateway is no occupant (§7.4)",
};

/** Rooms remembered for a reconnect, at most (xmpp.max_rooms bounds the ones entered). */
const MAX_PENDING_SEATS = 1_000;

export class RouteRooms {
  /** Seats the routes hold, by room: at most xmpp.max_rooms (Rooms refuses more). */
  private readonly seats = new Map<string, { held?: HeldRoom; options: EnterOptions }>();

  constructor(private readonly deps: RouteRoomsDeps) {}

  /** A groupchat message to a room: sent once the gateway is in it, confirmed by the echo. */
  async send(stanza: Element, settings: RouteRoomSettings): Promise<"sent" | "queued"> {
    const room = (stanza.attrs.to ?? "").toLowerCase();
    if (room.includes("/")) throw new GatewayError("BAD_REQUEST", `a groupchat goes to the room's bare JID, not "${stanza.attrs.to}"`, { details: { field: "to" } });
    stanza.attrs.from = this.deps.from;
    if (!this.deps.isOnline()) return this.queue(room, stanza, settings);
    try {
      const held = await this.seat(room, settings);
      stanza.attrs.from = held.from;
      await held.say(stanza, settings.timeoutMs);
      return "sent";
    } catch (err) {
      if (err instanceof GatewayError && err.code === "LINK_DOWN" && !this.deps.isOnline()) return this.queue(room, stanza, settings);
      throw told(err, room);
    }
  }

  /** The link is back: enter again every room the routes were in (the server forgot us). */
  online(): void {
    for (const [room, seat] of this.seats) {
      this.deps.rooms.enter(room, { ...seat.options, as: this.deps.from }).then(
        (held) => {
          seat.held = held;
          // The room did not survive (a restart forgot it): ours would be a new, locked one.
          if (held.created) this.forget(room, held);
        },
        (err: unknown) => this.deps.log.warn("could not enter the room again after a reconnect", { room, err: String(err) }),
      );
    }
  }

  private forget(room: string, held: HeldRoom): void {
    held.release();
    this.seats.delete(room);
  }

  private async seat(room: string, settings: RouteRoomSettings): Promise<HeldRoom> {
    const seat = this.seats.get(room);
    if (seat?.held && this.deps.rooms.isJoined(room)) return seat.held;
    const options = optionsOf(room, settings);
    const held = await this.deps.rooms.enter(room, { ...options, as: this.deps.from });
    if (held.created) {
      // §10.1.1: our join created it, so there was no such room; the occupancy leaves it.
      this.forget(room, held);
      throw new XmppStanzaError("item-not-found", "cancel", undefined, xml("presence", { from: room, type: "error" }));
    }
    this.seats.set(room, { held, options });
    return held;
  }

  /** Offline: to the outbox, and the room is remembered so `online` enters it before the drain. */
  private queue(room: string, stanza: Element, settings: RouteRoomSettings): Promise<"sent" | "queued"> {
    if (!this.seats.has(room) && this.seats.size < MAX_PENDING_SEATS) this.seats.set(room, { options: optionsOf(room, settings) });
    return this.deps.deliver(stanza);
  }
}

function optionsOf(room: string, settings: RouteRoomSettings): EnterOptions {
  return { nick: settings.nick, password: settings.password(room) };
}

function told(err: unknown, room: string): unknown {
  if (err instanceof XmppStanzaError) {
    const reason = REASONS[err.condition] ?? "the room refused";
    const status = httpStatusOfStanzaError(err.condition);
    return new GatewayError("ROOM_REFUSED", `The room ${room} refused: ${reason}`, { status, details: { room, condition: err.condition, ...(err.text ? { text: err.text } : {}) } });
  }
  if (err instanceof IqTimeoutError) return new GatewayError("XMPP_TIMEOUT", `The room ${room} did not answer in time`, { details: { room } });
  return err;
}
