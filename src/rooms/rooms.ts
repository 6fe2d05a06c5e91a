/**
 * The engine's rooms: one Occupancy per occupant JID of the component (muc_kick's per route, the
 * declarative routes' one), and one seat per room across them all: whoever enters a room the
 * gateway is already in (or joining) shares that seat, whatever occupant JID it asked for.
 * At most `maxRooms` rooms at once: each costs the server an occupant and us its occupant list.
 */
import type { Element } from "ltx";
import { GatewayError } from "../errors.ts";
import type { Logger } from "../plugin-api/log.ts";
import type { EnterOptions, HeldRoom, OccupantSettings, RoomsPort } from "../plugin-api/rooms.ts";
import type { StanzaHandler } from "../plugin-api.ts";
import { Occupancy } from "./occupancy.ts";

export interface RoomsDeps {
  send(stanza: Element): Promise<void>;
  /** Takes the stanzas addressed to `address` (router row 1). */
  claim(address: string, handler: StanzaHandler): void;
  maxRooms: number;
  log: Logger;
}

export class Rooms implements RoomsPort {
  /** By occupant JID, lower-cased. */
  private readonly occupants = new Map<string, Occupancy>();

  constructor(private readonly deps: RoomsDeps) {}

  occupant(settings: OccupantSettings): void {
    const key = settings.from.toLowerCase();
    if (this.occupants.has(key)) return;
    const occupancy = new Occupancy({ ...settings, send: (el) => this.deps.send(el) });
    this.occupants.set(key, occupancy);
    this.deps.claim(settings.from, (stanza) => occupancy.handle(stanza));
  }

  async enter(room: string, options: EnterOptions & { as: string }): Promise<HeldRoom> {
    const jid = room.toLowerCase();
    const seated = [...this.occupants.values()].find((o) => o.has(jid));
    const occupancy = seated ?? this.occupants.get(options.as.toLowerCase());
    if (!occupancy) throw new Error(`no occupant ${options.as} was declared`);
    if (!seated && this.count() >= this.deps.maxRooms) {
      throw new GatewayError("ROOMS_FULL", undefined, { details: { room: jid, max_rooms: this.deps.maxRooms } });
    }
    return occupancy.acquire(jid, options);
  }

  isJoined(room: string): boolean {
    return [...this.occupants.values()].some((o) => o.isJoined(room.toLowerCase()));
  }

  offline(): void {
    for (const o of this.occupants.values()) o.offline();
  }

  online(): void {
    for (const o of this.occupants.values()) o.online();
  }

  stop(): void {
    for (const o of this.occupants.values()) o.stop();
  }

  private count(): number {
    return [...this.occupants.values()].reduce((n, o) => n + o.size, 0);
  }
}
