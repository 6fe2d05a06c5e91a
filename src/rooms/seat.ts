/**
 * One room as an occupancy holds it (occupancy.ts), and how it is entered: XEP-0045 §7.2.1's join
 * presence, settled by our own presence (§7.2.3), an error presence, or the timeout.
 */
import type { Element } from "ltx";
import { IqTimeoutError, XmppStanzaError } from "../plugin-api/errors.ts";
import { joinPresence } from "./muc-presence.ts";

export interface Room {
  jid: string;
  nick: string;
  password: string | undefined;
  joined: boolean;
  /** Our join created the room (status 201): it did not exist, so leave at once. */
  created: boolean;
  occupants: Map<string, string | undefined>;
  users: number;
  ready: Promise<void>;
  waiter?: { resolve(): void; reject(err: Error): void };
  linger?: ReturnType<typeof setTimeout>;
}

export function newRoom(jid: string, nick: string, password: string | undefined): Room {
  return { jid, nick, password, joined: false, created: false, occupants: new Map(), users: 0, ready: Promise.resolve() };
}

export interface JoinDeps {
  send(stanza: Element): Promise<void>;
  /** The occupant's real JID. */
  from: string;
  timeoutMs: number;
}

/** §7.2.9: a nick held by someone else is a conflict; one retry with a random suffix. */
export async function joinRoom(room: Room, deps: JoinDeps): Promise<void> {
  try {
    await attempt(room, deps);
  } catch (err) {
    if (!(err instanceof XmppStanzaError && err.condition === "conflict")) throw err;
    room.nick = `${room.nick}-${Math.random().toString(36).slice(2, 6)}`;
    await attempt(room, deps);
  }
}

/** Sends one join presence; `room.waiter` is settled by the occupancy as the room answers. */
function attempt(room: Room, deps: JoinDeps): Promise<void> {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  const done = () => {
    clearTimeout(timer);
    room.waiter = undefined;
  };
  const waiter = { resolve: () => (done(), resolve()), reject: (err: Error) => (done(), reject(err)) };
  const timer = setTimeout(() => waiter.reject(new IqTimeoutError(room.jid)), deps.timeoutMs);
  room.waiter = waiter;
  deps.send(joinPresence(room.jid, room.nick, deps.from, room.password)).catch(waiter.reject);
  return promise;
}
