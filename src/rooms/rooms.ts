/**
 * The gateway's rooms: one Occupancy per occupant JID of the component (muc_kick's per route, the
 * declarative routes' one, one per bot), and one seat per room across the shared ones: whoever
 * enters a room the gateway is already in (or joining) shares that seat, whatever occupant JID it
 * asked for. An `exclusive` occupant (a bot) never shares: its seats are its own.
 * At most `maxRooms` rooms at once: each costs the server an occupant and us its occupant list.
 *
 * Like the link, the rooms outlive a reload (app.ts): the server knows one seat per occupant JID,
 * so two configurations must not each think they hold it. Each generation uses them through a
 * GenerationRooms (generation-rooms.ts), which gives back only its own holds when it retires.
 */
import type { Element } from "ltx";
import { GatewayError } from "../plugin-api/errors.ts";
import type { Logger } from "../plugin-api/log.ts";
import type { EnterOptions, HeldRoom, OccupantSettings, RoomsPort } from "../plugin-api/rooms.ts";
import { Occupancy } from "./occupancy.ts";

export interface RoomsDeps {
  send(stanza: Element): Promise<void>;
  maxRooms: number;
  log: Logger;
}

export class Rooms implements RoomsPort {
  /** By occupant JID, lower-cased. */
  private readonly occupants = new Map<string, { occupancy: Occupancy; exclusive: boolean }>();
  private maxRooms: number;

  constructor(private readonly deps: RoomsDeps) {
    this.maxRooms = deps.maxRooms;
  }

  /** xmpp.max_rooms of the configuration now in use. */
  setMaxRooms(maxRooms: number): void {
    this.maxRooms = maxRooms;
  }

  /** Declares an occupant JID; declaring it again (a reload) updates its settings. */
  occupant(settings: OccupantSettings): void {
    const key = settings.from.toLowerCase();
    const deps = { ...settings, send: (el: Element) => this.deps.send(el) };
    const known = this.occupants.get(key);
    if (known) return known.occupancy.reconfigure(deps);
    const occupancy = new Occupancy(deps);
    this.occupants.set(key, { occupancy, exclusive: settings.exclusive ?? false });
  }

  /** Stanzas to an occupant JID (router row 1); false when it is nobody's or not about a room. */
  handle(stanza: Element): boolean {
    return this.occupants.get(stanza.attrs.to?.toLowerCase() ?? "")?.occupancy.handle(stanza) ?? false;
  }

  async enter(room: string, options: EnterOptions & { as: string }): Promise<HeldRoom> {
    const jid = room.toLowerCase();
    const own = this.occupants.get(options.as.toLowerCase());
    if (!own) throw new Error(`no occupant ${options.as} was declared`);
    const seated = own.exclusive ? (own.occupancy.has(jid) ? own.occupancy : undefined) : this.shared().find((o) => o.has(jid));
    if (!seated && this.count() >= this.maxRooms) {
      throw new GatewayError("ROOMS_FULL", undefined, { details: { room: jid, max_rooms: this.maxRooms } });
    }
    return (seated ?? own.occupancy).acquire(jid, options);
  }

  isJoined(room: string): boolean {
    return this.shared().some((o) => o.isJoined(room.toLowerCase()));
  }

  offline(): void {
    for (const { occupancy } of this.occupants.values()) occupancy.offline();
  }

  online(): void {
    for (const { occupancy } of this.occupants.values()) occupancy.online();
  }

  /** Leaves every room (the gateway stops). */
  stop(): void {
    for (const { occupancy } of this.occupants.values()) occupancy.stop();
  }

  private shared(): Occupancy[] {
    return [...this.occupants.values()].filter((o) => !o.exclusive).map((o) => o.occupancy);
  }

  private count(): number {
    return [...this.occupants.values()].reduce((n, o) => n + o.occupancy.size, 0);
  }
}
