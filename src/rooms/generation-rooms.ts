/**
 * One configuration's use of the gateway's rooms (rooms.ts): it claims the occupant JIDs in its
 * own router (row 1), and remembers what it holds so that retiring gives back only that. A room
 * the next configuration holds too is not left, so a reload never takes the gateway out of a
 * room the new configuration believes it is in (the old one used to leave everything).
 */
import type { EnterOptions, HeldRoom, OccupantSettings, RoomsPort } from "../plugin-api/rooms.ts";
import type { StanzaHandler } from "../plugin-api/index.ts";
import type { Rooms } from "./rooms.ts";

export interface GenerationRoomsDeps {
  /** This generation's router, row 1. */
  claim(address: string, handler: StanzaHandler): void;
  maxRooms: number;
}

export class GenerationRooms implements RoomsPort {
  private readonly holds = new Set<HeldRoom>();
  private stopped = false;

  constructor(
    private readonly rooms: Rooms,
    private readonly deps: GenerationRoomsDeps,
  ) {
    rooms.setMaxRooms(deps.maxRooms);
  }

  occupant(settings: OccupantSettings): void {
    this.rooms.occupant(settings);
    this.deps.claim(settings.from, (stanza) => this.rooms.handle(stanza));
  }

  async enter(room: string, options: EnterOptions & { as: string }): Promise<HeldRoom> {
    const held = await this.rooms.enter(room, options);
    if (this.stopped) {
      held.release();
      throw new Error("this configuration was replaced");
    }
    this.holds.add(held);
    const release = () => {
      this.holds.delete(held);
      held.release();
    };
    return {
      from: held.from,
      occupants: held.occupants,
      created: held.created,
      get nick() {
        return held.nick;
      },
      say: (m, t) => held.say(m, t),
      refresh: (forget) => held.refresh(forget),
      release,
    };
  }

  isJoined(room: string): boolean {
    return this.rooms.isJoined(room);
  }

  offline(): void {
    this.rooms.offline();
  }

  online(): void {
    this.rooms.online();
  }

  /** Gives back every room this configuration holds; rooms nobody else holds are left. */
  stop(): void {
    this.stopped = true;
    for (const held of [...this.holds]) held.release();
    this.holds.clear();
  }
}
