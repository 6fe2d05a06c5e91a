/**
 * Rooms people write to a topic in (`from_xmpp.<topic>.room`): the gateway sits in each with a
 * seat of its own (never shared with the seat that posts the topics' messages to rooms), and what
 * an occupant in the topic's allow: says there is published to the topic. Allow is checked on the
 * occupant's real JID, which the room must show (XEP-0045 §7.2.3); a groupchat is never answered
 * with an error (a room would kick the gateway), so what is not allowed is only left out. The
 * history a room replays on entering (§7.2.15, marked by XEP-0203 delay) is old news: left out.
 */
import type { Element } from "ltx";
import type { HeldRoom, RoomsPort } from "../../plugin-api/rooms.ts";
import type { Logger } from "../../plugin-api/log.ts";
import { parseJid } from "../../kit/jid.ts";
import type { TopicEvent } from "../../topics/types.ts";
import { mayWrite } from "./writers.ts";
import { bodyWithoutReplyFallback } from "./reply-fallback.ts";
import type { TopicRoom } from "./writers-schema.ts";
import { ownOccupant } from "../../rooms/own-occupant.ts";

const NS_DELAY = "urn:xmpp:delay";
/** Far more than one read of the stream carries between a join's completion and enter() resuming. */
const MAX_EARLY = 50;

export interface RoomWritersDeps {
  rooms: RoomsPort;
  /** The component's domain: occupants whose real JID is on it are the gateway's own seats. */
  component: string;
  publish(event: Omit<TopicEvent, "id" | "time" | "expires">): Promise<TopicEvent>;
  isOnline(): boolean;
  timeoutMs: number;
  log: Logger;
}

interface Seat {
  topics: Array<{ topic: string; allow: readonly string[] }>;
  held?: HeldRoom;
  /** Messages that came before enter() resumed (bots/rooms.ts has the same race). */
  early?: Element[];
}

/** Every ntfy route's topic rooms, one seat per room: `start()` and each `online()` enter them, `stop()` gives them back. */
export function roomWriters(entries: ReadonlyArray<TopicRoom & { topic: string }>, deps: RoomWritersDeps) {
  const seats = new Map<string, Seat>();
  for (const { topic, room, allow } of entries) {
    const seat = seats.get(room) ?? { topics: [] };
    seat.topics.push({ topic, allow });
    seats.set(room, seat);
  }
  const from = `${deps.component}/stanzagate-ntfy-topics`;
  let stopped = false;
  if (seats.size > 0)
    deps.rooms.occupant(
      ownOccupant({
        from,
        nick: "Stanzagate topics",
        timeoutMs: deps.timeoutMs,
        log: deps.log,
        listener: { message: (room, stanza) => heard(room, stanza), removed: (room) => removed(seats.get(room)) },
      }),
    );

  async function enter(room: string, seat: Seat): Promise<void> {
    seat.early = [];
    try {
      const held = await deps.rooms.enter(room, { as: from });
      // §10.1.1: our join created it, so there was no such room: never one the gateway made up.
      if (held.created) return void (held.release(), deps.log.warn("no such room to read a topic from", { room }));
      seat.held?.release();
      seat.held = held;
      for (const stanza of seat.early.splice(0)) heard(room, stanza);
    } catch (err) {
      if (!stopped) deps.log.warn("could not enter a topic's room", { room, reason: err instanceof Error ? err.message : String(err) });
    } finally {
      seat.early = undefined;
    }
  }

  function heard(room: string, stanza: Element): void {
    const seat = seats.get(room);
    if (!seat || stanza.attrs.type !== "groupchat" || stanza.getChild("delay", NS_DELAY)) return;
    if (!seat.held) return void (seat.early && seat.early.length < MAX_EARLY && seat.early.push(stanza));
    const nick = parseJid(stanza.attrs.from ?? "")?.resource ?? "";
    const real = seat.held.occupants.get(nick);
    const sender = real ? parseJid(real) : undefined;
    // A reply's quote of what it answers (XEP-0461) is not what the occupant said.
    const body = bodyWithoutReplyFallback(stanza);
    // Our own seats (their real JID is of our domain, or the nick ours) never publish what the gateway posted.
    if (!body || nick === "" || nick === seat.held.nick || sender?.domain === deps.component.toLowerCase()) return;
    const bare = sender ? `${sender.local}@${sender.domain}`.toLowerCase() : "";
    for (const { topic, allow } of seat.topics)
      if (mayWrite(bare, allow))
        void deps
          .publish({ event: "message", topic, message: body, source: bare })
          .catch((err: unknown) => deps.log.warn("a room message was not published to its topic", { topic, err: String(err) }));
      else deps.log.info("a room message to a topic from an occupant outside its allow: list was left out", { topic, room, nick });
  }

  /** Put out of the room (§7.2.8, §10.9): entered again on the next online(). */
  function removed(seat: Seat | undefined): void {
    seat?.held?.release();
    if (seat) seat.held = undefined;
  }

  return {
    online(): void {
      for (const [room, seat] of seats) void enter(room, seat);
    },
    stop(): void {
      stopped = true;
      for (const seat of seats.values()) seat.held?.release();
    },
    start(): void {
      if (deps.isOnline()) this.online();
    },
  };
}
