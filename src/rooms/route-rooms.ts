/**
 * Groupchat from declarative routes. A message of type "groupchat" to a room is only taken from
 * an occupant (XEP-0045 §7.4), so the gateway enters the room first (§7.2) and stays: a route
 * never releases its seat. The room's echo of the message is the proof it was taken (the 201);
 * a refusal (members-only, banned, no such room, wrong password) is a 4xx/5xx with the reason.
 *
 * After a reconnect every room a route was in is entered again. A groupchat queued while the link
 * was down (202) has its room entered when the outbox reaches it (`beforeSend`), and goes
 * to the dead letters with the room's refusal when the room will not have the gateway.
 *
 * A reload hands the seats over (`handover`, `adopt`): the next configuration enters the rooms its
 * routes still use before the old one gives its seats back, so a room sees no leave and no join.
 *
 * Declarative routes and the sender formats' room recipients (notify/rooms.ts) use it alike.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { GatewayError, XmppStanzaError } from "../plugin-api/errors.ts";
import type { Logger } from "../plugin-api/log.ts";
import type { EnterOptions, HeldRoom, RoomsPort } from "../plugin-api/rooms.ts";
import { queuedGroupchatRoom } from "./queued-groupchat.ts";
import { deadLetterReason, mayPass, told } from "./room-refusals.ts";

export interface RouteRoomsDeps {
  rooms: RoomsPort;
  /** The occupant JID of these routes (declared to `rooms` by the caller). */
  from: string;
  deliver(stanza: Element): Promise<"sent" | "queued">;
  isOnline(): boolean;
  log: Logger;
  /** This configuration's routes that post to rooms, by `RouteRoomSettings.route`. */
  routes: ReadonlyMap<string, RouteRoomSettings>;
  /** xmpp.iq_timeout_ms: how long a join for a room queued before a restart may take. */
  timeoutMs: number;
}

/** One route's settings: its nick and room passwords (routes.yaml `nick`, `room_password`, `rooms`; a room entry's `nick`, `password`). */
export interface RouteRoomSettings {
  /** The route (`METHOD /path`, or a format route and its room): a reload keeps the seats of the routes it still has. */
  route: string;
  nick: string | undefined;
  password(room: string): string | undefined;
  timeoutMs: number;
}

/** A room the routes are in (or were, when the link dropped), and the routes that posted there. */
interface Seat {
  held?: HeldRoom;
  options: EnterOptions;
  routes: Set<string>;
}

/** What a retiring configuration hands the next one (app.ts `reload`). */
export interface RouteSeats {
  seats: ReadonlyArray<{ room: string; options: EnterOptions; routes: string[] }>;
  /** How to enter the rooms of groupchats waiting in the outbox. */
  queued: ReadonlyArray<[string, RouteRoomSettings]>;
}

/** Rooms remembered for the outbox, at most (xmpp.max_rooms bounds the ones entered). */
const MAX_QUEUED_ROOMS = 1_000;

export class RouteRooms {
  /** Seats the routes hold, by room: at most xmpp.max_rooms (Rooms refuses more). */
  private readonly seats = new Map<string, Seat>();
  private readonly queued = new Map<string, RouteRoomSettings>();

  constructor(private readonly deps: RouteRoomsDeps) {}

  /** A groupchat message to a room: sent once the gateway is in it, confirmed by the echo. */
  async send(stanza: Element, settings: RouteRoomSettings): Promise<"sent" | "queued"> {
    return (await this.post(stanza, settings)).outcome;
  }

  /**
   * `send`, with the room's echo when it was sent: its stanza-id (XEP-0359 §6, `by` the room) is
   * the id a retraction in the room names (XEP-0424 0.4: in a group chat, the stanza-id the room assigned).
   */
  async post(stanza: Element, settings: RouteRoomSettings): Promise<{ outcome: "sent" | "queued"; echo?: Element }> {
    const room = (stanza.attrs.to ?? "").toLowerCase();
    if (room.includes("/"))
      throw new GatewayError("BAD_REQUEST", `a groupchat goes to the room's bare JID, not "${stanza.attrs.to}"`, {
        details: { field: "to" },
      });
    stanza.attrs.from = this.deps.from;
    if (!this.deps.isOnline()) return { outcome: await this.queue(room, stanza, settings) };
    try {
      const held = await this.seat(room, settings);
      stanza.attrs.from = held.from;
      return { outcome: "sent", echo: await held.say(stanza, settings.timeoutMs) };
    } catch (err) {
      if (err instanceof GatewayError && err.code === "LINK_DOWN" && !this.deps.isOnline())
        return { outcome: await this.queue(room, stanza, settings) };
      throw told(err, room);
    }
  }

  /**
   * Enters `room` now when the link is up (a no-op when the gateway is in it or offline), or rejects
   * with the room's refusal: a notification to several recipients enters its rooms before it sends
   * anything, so a refusal never follows messages already delivered (a retry would repeat them).
   */
  async enter(room: string, settings: RouteRoomSettings): Promise<void> {
    if (!this.deps.isOnline()) return;
    try {
      await this.seat(room.toLowerCase(), settings);
    } catch (err) {
      if (err instanceof GatewayError && err.code === "LINK_DOWN" && !this.deps.isOnline()) return;
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

  /**
   * The outbox is about to send a queued stanza (xmpp/delivery.ts `beforeSend`). A groupchat of
   * the routes needs the gateway in its room first (§7.4): entered here, in the outbox's order.
   * Resolves undefined to send it, or the room's refusal (§7.2) or ROOMS_FULL: why it goes to the
   * dead letters instead. Rejects while the link is down, and when the room did not answer in
   * time or said to wait: the row stays for the next drain (delivery.ts counts those attempts).
   */
  beforeSend(row: string): Promise<string | undefined> | undefined {
    const room = queuedGroupchatRoom(row, this.deps.from);
    return room === undefined ? undefined : this.enterForQueued(room);
  }

  handover(): RouteSeats {
    return {
      seats: [...this.seats].map(([room, seat]) => ({ room, options: seat.options, routes: [...seat.routes] })),
      queued: [...this.queued],
    };
  }

  /**
   * Takes the previous configuration's seats that this one still uses: a route with the same
   * method and path, entering with the same nick and password. Entering a room the gateway is in
   * shares its seat (rooms.ts), so the old configuration retiring leaves only the others.
   */
  async adopt(previous: RouteSeats): Promise<void> {
    for (const [room, settings] of previous.queued) this.queued.set(room, this.deps.routes.get(settings.route) ?? settings);
    await Promise.all(previous.seats.map((seat) => this.keep(seat.room, seat.options, seat.routes)));
  }

  private async keep(room: string, options: EnterOptions, routes: string[]): Promise<void> {
    const still = routes.filter((route) => {
      const settings = this.deps.routes.get(route);
      return settings !== undefined && sameOptions(optionsOf(room, settings), options);
    });
    if (!still.length) return;
    const seat: Seat = { options, routes: new Set(still) };
    this.seats.set(room, seat);
    // Not in it now (the link is down): `online` enters it, as the old configuration would have.
    if (!this.deps.rooms.isJoined(room)) return;
    try {
      seat.held = await this.deps.rooms.enter(room, { ...options, as: this.deps.from });
    } catch (err) {
      this.seats.delete(room);
      this.deps.log.warn("could not keep the room across the reload", { room, err: String(err) });
    }
  }

  private async enterForQueued(room: string): Promise<string | undefined> {
    const settings = this.queued.get(room) ?? this.settingsFor(room);
    try {
      await this.seat(room, settings);
      this.queued.delete(room);
      return undefined;
    } catch (err) {
      const reason = deadLetterReason(err, room);
      if (reason === undefined) throw err;
      if (mayPass(err)) throw new Error(reason);
      this.deps.log.warn("a queued groupchat cannot reach its room: moved to the dead letters", { room, reason });
      return reason;
    }
  }

  /** A room queued before a restart: the first route with a password for it, else the defaults. */
  private settingsFor(room: string): RouteRoomSettings {
    const withPassword = [...this.deps.routes.values()].find((r) => r.password(room) !== undefined);
    return withPassword ?? { route: "", nick: undefined, password: () => undefined, timeoutMs: this.deps.timeoutMs };
  }

  private forget(room: string, held: HeldRoom): void {
    held.release();
    this.seats.delete(room);
  }

  private async seat(room: string, settings: RouteRoomSettings): Promise<HeldRoom> {
    const seat = this.seats.get(room);
    if (seat?.held && this.deps.rooms.isJoined(room)) {
      seat.routes.add(settings.route);
      return seat.held;
    }
    const options = optionsOf(room, settings);
    const held = await this.deps.rooms.enter(room, { ...options, as: this.deps.from });
    if (held.created) {
      // §10.1.1: our join created it, so there was no such room; the occupancy leaves it.
      this.forget(room, held);
      throw new XmppStanzaError("item-not-found", "cancel", undefined, xml("presence", { from: room, type: "error" }));
    }
    this.seats.set(room, { held, options, routes: new Set([...(seat?.routes ?? []), settings.route]) });
    return held;
  }

  /** Offline: to the outbox; `beforeSend` enters the room when the outbox gets to it. */
  private queue(room: string, stanza: Element, settings: RouteRoomSettings): Promise<"sent" | "queued"> {
    if (this.queued.has(room) || this.queued.size < MAX_QUEUED_ROOMS) this.queued.set(room, settings);
    return this.deps.deliver(stanza);
  }
}

function optionsOf(room: string, settings: RouteRoomSettings): EnterOptions {
  return { nick: settings.nick, password: settings.password(room) };
}

function sameOptions(a: EnterOptions, b: EnterOptions): boolean {
  return a.nick === b.nick && a.password === b.password;
}
