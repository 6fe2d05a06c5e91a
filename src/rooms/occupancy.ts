/**
 * The rooms the gateway is in as one occupant JID (`from`). A request holds a room while it uses
 * it (muc_kick: a kick needs a moderator in the room, XEP-0045 §8.2; a route: a groupchat needs an
 * occupant, §7.4); once nobody holds it the room is left (or after `lingerMs`, keeping at most
 * `maxLingering` idle ones). Routes never release theirs, so they stay joined. While joined it
 * follows the room's presences, so the occupant list (nick -> real JID) is the room's current one.
 */
import type { Element } from "ltx";
import { GatewayError, XmppStanzaError } from "../plugin-api/errors.ts";
import type { EnterOptions, HeldRoom, OccupantSettings } from "../plugin-api/rooms.ts";
import { Echoes } from "./echoes.ts";
import { joinPresence, leavePresence, readOccupantPresence, type OccupantPresence } from "./muc-presence.ts";
import { joinRoom, newRoom, type Room } from "./seat.ts";

/** An occupant's settings (plugin-api/rooms.ts), and how its stanzas reach the server. */
export interface OccupancyDeps extends OccupantSettings {
  send(stanza: Element): Promise<void>;
}

export type { EnterOptions, HeldRoom };

export class Occupancy {
  /** In least-recently-used order: `acquire` moves a room to the end. */
  private readonly rooms = new Map<string, Room>();
  /** Rooms we were in when the link dropped; left as soon as it is back. */
  private orphans: Array<{ jid: string; nick: string }> = [];
  private readonly echoes = new Echoes();
  /** Rooms whose occupant list is being read again (refresh), settled by our own presence. */
  private readonly refreshing = new Map<Room, { promise: Promise<void>; settle: () => void }>();

  constructor(private deps: OccupancyDeps) {}

  /** A newer configuration declared this occupant again: its settings apply from now on. */
  reconfigure(deps: OccupancyDeps): void {
    this.deps = deps;
  }

  /** Whether the gateway is in `jid` now (then the room certainly exists). */
  isJoined(jid: string): boolean {
    return this.rooms.get(jid)?.joined ?? false;
  }

  /** Whether a join of `jid` is under way or done. */
  has(jid: string): boolean {
    return this.rooms.has(jid);
  }

  get size(): number {
    return this.rooms.size;
  }

  /** Joins `jid` (a lowercased bare room JID) or shares the join under way. */
  async acquire(jid: string, options: EnterOptions = {}): Promise<HeldRoom> {
    const room = this.rooms.get(jid) ?? this.startJoin(jid, options);
    this.rooms.delete(jid);
    this.rooms.set(jid, room);
    room.users++;
    clearTimeout(room.linger);
    try {
      await room.ready;
    } catch (err) {
      room.users--;
      throw err;
    }
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.release(room);
    };
    const say = (message: Element, timeoutMs: number) => this.say(room, message, timeoutMs);
    const refresh = (forget: boolean) => this.refresh(room, forget);
    return {
      from: this.deps.from,
      occupants: room.occupants,
      created: room.created,
      get nick() {
        return room.nick;
      },
      release,
      say,
      refresh,
    };
  }

  /**
   * Takes stanzas sent to the gateway's occupant JID. Room traffic is never answered. With a
   * listener, only what comes from its rooms is taken; the rest goes on down the routing table.
   */
  handle(stanza: Element): boolean {
    if (stanza.attrs.to?.toLowerCase() !== this.deps.from.toLowerCase()) return false;
    // An iq get/set must be answered (RFC 6120 §8.2.3): the engine does that. Results were settled.
    if (stanza.name === "iq") return false;
    const listener = this.deps.listener;
    if (stanza.name === "presence") return this.onPresence(stanza) || !listener;
    if (this.echoes.take(stanza)) return true;
    const room = this.rooms.get((stanza.attrs.from ?? "").split("/")[0]?.toLowerCase() ?? "");
    if (!listener || !room?.joined) return !listener;
    listener.message(room.jid, stanza);
    return true;
  }

  /** The link dropped: joins under way fail, and the rooms are left once it is back. */
  offline(): void {
    for (const room of this.rooms.values()) {
      clearTimeout(room.linger);
      room.waiter?.reject(new GatewayError("LINK_DOWN"));
      if (room.joined) this.orphans.push({ jid: room.jid, nick: room.nick });
    }
    this.rooms.clear();
    this.echoes.failAll(new GatewayError("LINK_DOWN"));
  }

  online(): void {
    // A room entered again already (routes stay in theirs) is not left: the join keeps the seat.
    for (const { jid, nick } of this.orphans) if (!this.rooms.has(jid)) this.sendLeave(jid, nick);
    this.orphans = [];
  }

  stop(): void {
    for (const room of [...this.rooms.values()]) this.leave(room);
  }

  private startJoin(jid: string, options: EnterOptions): Room {
    const room = newRoom(jid, options.nick ?? this.deps.nick, options.password ?? this.deps.password(jid));
    room.ready = joinRoom(room, { send: this.deps.send, from: this.deps.from, timeoutMs: this.deps.timeoutMs }).catch((err: unknown) => {
      if (this.rooms.get(jid) === room) this.rooms.delete(jid);
      throw err;
    });
    return room;
  }

  /** Whether the presence was about a room of ours (or our own seat in one). */
  private onPresence(stanza: Element): boolean {
    const p = readOccupantPresence(stanza);
    if (!p) return false;
    const room = this.rooms.get(p.room);
    if (!room) {
      // A join that answered after its timeout: we are in a room nobody holds, so leave it.
      if (p.self && p.available) this.sendLeave(p.room, p.nick);
      return p.self;
    }
    if (p.error) {
      if (!room.joined) room.waiter?.reject(XmppStanzaError.from(stanza));
      return true;
    }
    if (p.self || p.nick === room.nick) this.onOwnPresence(room, p);
    else if (p.available) room.occupants.set(p.nick, p.realJid);
    else room.occupants.delete(p.nick);
    return true;
  }

  /** §7.2.3: our own presence comes last, after every other occupant's: the list is complete. */
  private onOwnPresence(room: Room, p: OccupantPresence): void {
    if (p.available && !room.joined) {
      room.nick = p.nick; // §7.2.11: the service may have changed it (status 210)
      room.joined = true;
      room.created = p.created;
      room.waiter?.resolve();
    } else if (p.available) {
      this.refreshing.get(room)?.settle();
    } else if (room.joined) {
      // Kicked, banned, or the room was destroyed (§7.2.8, §10.9): nothing to leave any more.
      this.deps.log.info("the gateway is no longer in the room", { room: room.jid, from: this.deps.from });
      if (this.rooms.get(room.jid) === room) this.rooms.delete(room.jid);
      this.deps.listener?.removed(room.jid);
    }
    // Unavailable while joining: the echo of an earlier leave of this room.
  }

  private async say(room: Room, message: Element, timeoutMs: number): Promise<Element> {
    if (!room.joined || this.rooms.get(room.jid) !== room) throw new GatewayError("LINK_DOWN", "The gateway is no longer in the room");
    message.attrs.from = this.deps.from;
    const echoed = this.echoes.wait(message.attrs.id as string, room.jid, timeoutMs);
    try {
      await this.deps.send(message);
    } catch (err) {
      this.echoes.fail(message.attrs.id as string, err as Error);
    }
    return echoed;
  }

  /**
   * HeldRoom.refresh: the presences the room sends back go through onPresence as any others, and
   * our own comes last (§7.2.3): then the list is complete. Settled after timeoutMs regardless.
   */
  private refresh(room: Room, forget: boolean): Promise<void> {
    if (!room.joined || this.rooms.get(room.jid) !== room) return Promise.resolve();
    // A room repeating its configuration change costs one read, not one presence each; a read
    // that must forget what is known starts again, and settles the one it replaces with it.
    const pending = this.refreshing.get(room);
    if (pending && !forget) return pending.promise;
    if (forget) for (const nick of room.occupants.keys()) room.occupants.set(nick, undefined);
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = setTimeout(resolve, this.deps.timeoutMs);
    const entry = { promise, settle: () => (clearTimeout(timer), resolve(), pending?.settle()) };
    this.refreshing.set(room, entry);
    this.deps
      .send(joinPresence(room.jid, room.nick, this.deps.from, room.password))
      .catch((err: unknown) => this.deps.log.debug("could not read the room's occupants again", { room: room.jid, err: String(err) }));
    return promise.finally(() => {
      if (this.refreshing.get(room) === entry) this.refreshing.delete(room);
    });
  }

  private release(room: Room): void {
    room.users--;
    if (room.users > 0 || this.rooms.get(room.jid) !== room) return;
    if (this.deps.lingerMs === 0 || room.created) return this.leave(room);
    room.linger = setTimeout(() => this.leave(room), this.deps.lingerMs);
    this.trimLingering();
  }

  private trimLingering(): void {
    const idle = [...this.rooms.values()].filter((r) => r.users === 0);
    for (const room of idle.slice(0, Math.max(0, idle.length - this.deps.maxLingering))) this.leave(room);
  }

  private leave(room: Room): void {
    clearTimeout(room.linger);
    if (this.rooms.get(room.jid) === room) this.rooms.delete(room.jid);
    if (room.joined) this.sendLeave(room.jid, room.nick);
  }

  private sendLeave(jid: string, nick: string): void {
    this.deps
      .send(leavePresence(jid, nick, this.deps.from))
      .catch((err: unknown) => this.deps.log.debug("could not leave the room", { room: jid, err: String(err) }));
  }
}
