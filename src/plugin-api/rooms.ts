/**
 * Rooms as plugins and declarative routes use them (XEP-0045): the engine holds one occupancy per
 * room, so a muc_kick route and a route posting to the same room share one seat (src/rooms/).
 */
import type { Element } from "ltx";
import type { Logger } from "./log.ts";

/** A room the gateway is in, held by one user until `release()`. */
export interface HeldRoom {
  /** The occupant's real JID: what the room knows the gateway as; stanzas to the room go from it. */
  readonly from: string;
  /** Other occupants: nick -> real JID (undefined where the room hides it from us). */
  readonly occupants: ReadonlyMap<string, string | undefined>;
  /** Our join created the room (§10.1.1 status 201): it did not exist before. */
  readonly created: boolean;
  /** Our nick there (the service may have changed the one asked for, §7.2.9, §7.2.11). */
  readonly nick: string;
  release(): void;
  /**
   * Sends a groupchat message (its `from` set to ours) and waits for the room's echo (§7.4), which
   * it resolves with: the echo carries the room's stanza-id (XEP-0359), if the room assigns one.
   */
  say(message: Element, timeoutMs: number): Promise<Element>;
  /**
   * Reads the occupant list again: the join presence once more, which both Prosody and ejabberd
   * answer with every occupant's presence, as at a join (§7.2.3). For a room that changed who
   * sees real JIDs (§10.2.1); `forget` drops the real JIDs known until the room shows them again.
   * Resolves once the list is complete (our own presence came back), or after the join timeout.
   */
  refresh(forget: boolean): Promise<void>;
}

/** Per room: the nick to ask for and the room's password (§7.2.6); the occupant's defaults otherwise. */
export interface EnterOptions {
  nick?: string | undefined;
  password?: string | undefined;
}

/** One occupant JID of the component and how it behaves in rooms. */
export interface OccupantSettings {
  /** A full JID of the component: `<component>/<resource>`. */
  from: string;
  nick: string;
  password(room: string): string | undefined;
  /** How long a join may take before it fails (504). */
  timeoutMs: number;
  /** An idle room (held by nobody) is left after this long; 0 leaves at once. */
  lingerMs: number;
  maxLingering: number;
  log: Logger;
  /**
   * Never shares a seat (a bot is an occupant of its own): it enters its rooms itself, and no
   * other occupant ever uses its seats. Default false: one seat per room across occupants.
   */
  exclusive?: boolean;
  /**
   * Takes what the rooms it is in say to it: their messages (other than the echoes `say` waits
   * for), and being put out of one (kicked, banned, destroyed: §7.2.8, §10.9). With a listener,
   * stanzas to the occupant JID that are not from its rooms go on down the routing table.
   */
  listener?: RoomListener;
}

export interface RoomListener {
  message(room: string, stanza: Element): void;
  removed(room: string): void;
}

export interface RoomsPort {
  /** Declares an occupant JID; the engine takes the stanzas addressed to it (router row 1). */
  occupant(settings: OccupantSettings): void;
  /**
   * Enters `room` (a bare JID) as the occupant `as`, or shares the seat another occupant of the
   * gateway already has or is taking there: one occupancy per room. Rejects with the room's
   * XmppStanzaError (§7.2: forbidden, registration-required, not-authorized, item-not-found...).
   */
  enter(room: string, options: EnterOptions & { as: string }): Promise<HeldRoom>;
  /** Whether the gateway is in `room` now (then the room certainly exists). */
  isJoined(room: string): boolean;
}
