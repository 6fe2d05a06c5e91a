/**
 * A bot in rooms (docs/bots.md, "Bots in rooms"): an occupant of its own (`<bot>/bot`, never sharing
 * the routes' or muc_kick's seat) in the rooms of `rooms:` and those it accepted invitations to
 * (kept in the store). There it answers messages addressed to it (`nick: text`) from senders in
 * allow: (checked on the real JID the room shows, XEP-0045 §7.2.3), in the room (§7.4), and
 * politely refuses the others. It never answers the gateway's own bots (their real JID is of our
 * domain, or their nick is one our bots hold there), so bots cannot talk to each other through a
 * room. Bounded: max_rooms seats, refusals and replies rate-limited per room. A room changing who
 * sees real JIDs (§10.2.1) is read again at once (room-config.ts).
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { XmppStanzaError } from "../../plugin-api/errors.ts";
import type { Logger } from "../../log.ts";
import { bareJid } from "../../kit/jid.ts";
import type { HeldRoom, RoomsPort } from "../../plugin-api/rooms.ts";
import { ownOccupant } from "../../rooms/own-occupant.ts";
import type { Keyed } from "../../plugin-api/store.ts";
import type { BotConfig, BotRoom } from "./compiled.ts";
import { answerMessages, type Answer } from "./bot.ts";
import { BOT_RESOURCE } from "./contact.ts";
import { createRateLimit } from "./rate-limit.ts";
import { followConfigChange } from "./room-config.ts";
import { NS_DELAY, addressedTo, declineInvitation, readInvitation, vouchedFor, type Invitation } from "./room-stanzas.ts";

/** What the store keeps of a room the bot was invited to. */
export interface InvitedRoom extends BotRoom {
  inviter: string;
  at: number;
}

export interface BotRoomsDeps {
  rooms: RoomsPort;
  invited: Keyed<InvitedRoom[]>;
  /** Out of the rooms (declines): delivered as the bot's chat replies are. */
  send(stanza: Element): void;
  isOnline(): boolean;
  timeoutMs: number;
  allowed(bareJid: string): boolean;
  /** The chat path: length, rate limit, commands, help, unknown:; resolves to the answer. */
  command(sender: string, text: string): Promise<Answer>;
  /** Whether a real JID is the gateway's own (bot.ts). */
  ours(jid: string): boolean;
  /** Whether `nick` is the seat of one of the gateway's bots in `room` (this one included). */
  ourNick(room: string, nick: string): boolean;
  /** A message refused unread: counted in stanzagate_bot_commands_total as chat refusals are. */
  forbidden(): void;
  /** Sends an iq and waits for its result (disco#info of a room whose configuration changed). */
  request(iq: Element): Promise<Element>;
  log: Logger;
}

interface Seat {
  room: BotRoom;
  invited: boolean;
  held?: HeldRoom;
  /**
   * While enter() waits: the room's messages that came after our join completed but before enter()
   * resumed. The join's last presence and the first live messages often arrive in one read of the
   * stream, handled before any promise continuation runs; they are answered once the seat is held.
   */
  early?: Element[];
}

/** Far more than one read of the stream carries between a join's completion and enter() resuming. */
const MAX_EARLY_MESSAGES = 50;

export class BotRooms {
  private readonly seats = new Map<string, Seat>();
  private readonly from: string;
  private readonly refusals: ReturnType<typeof createRateLimit>;
  private readonly replies: ReturnType<typeof createRateLimit>;
  private stopped = false;

  constructor(
    private readonly bot: BotConfig,
    private readonly deps: BotRoomsDeps,
  ) {
    this.from = `${bot.jid}/${BOT_RESOURCE}`;
    this.refusals = createRateLimit(bot.rateLimit.commands, bot.rateLimit.windowMs);
    this.replies = createRateLimit(bot.rateLimit.commands * 3, bot.rateLimit.windowMs);
    for (const room of bot.rooms) this.seats.set(room.jid, { room, invited: false });
    for (const room of deps.invited.get(bot.jid) ?? [])
      if (!this.seats.has(room.jid) && this.seats.size < bot.maxRooms) this.seats.set(room.jid, { room, invited: true });
    deps.rooms.occupant(
      ownOccupant({
        from: this.from,
        nick: bot.name,
        timeoutMs: deps.timeoutMs,
        log: deps.log,
        listener: { message: (room, stanza) => this.onRoomMessage(room, stanza), removed: (room) => this.onRemoved(room) },
      }),
    );
    if (deps.isOnline()) this.online();
  }

  /** The link is (back) up: every room is entered (again); the server forgot us if it dropped. */
  online(): void {
    this.deps.log.info("the bot enters its rooms", { bot: this.bot.jid, rooms: [...this.seats.keys()] });
    for (const seat of this.seats.values()) void this.enter(seat);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Our nick in `room`, once we are in it. */
  nickIn(room: string): string | undefined {
    return this.seats.get(room)?.held?.nick;
  }

  /** Takes an invitation (true), else leaves the message to the chat path (false). */
  take(stanza: Element): boolean {
    const read = readInvitation(stanza);
    if (!read) return false;
    if ("problem" in read) {
      this.deps.log.info("invitation ignored", { bot: this.bot.jid, problem: read.problem });
      return true;
    }
    const inv = read.invitation;
    const refuse = (why: string) => {
      this.deps.log.info("invitation declined", { bot: this.bot.jid, room: inv.room, inviter: inv.inviter, why });
      if (inv.via === "mediated") this.deps.send(declineInvitation(inv, this.bot.jid, why));
    };
    if (!this.bot.acceptInvites) return (refuse("this bot does not accept invitations"), true);
    if (!vouchedFor(inv) || !this.deps.allowed(inv.inviter)) return (refuse("the inviter may not use this bot"), true);
    if (this.seats.has(inv.room)) return true;
    if (this.seats.size >= this.bot.maxRooms) return (refuse(`this bot is in ${this.bot.maxRooms} rooms already`), true);
    void this.accept(inv);
    return true;
  }

  private async accept(inv: Invitation): Promise<void> {
    const seat: Seat = { room: { jid: inv.room, nick: this.bot.name, password: inv.password }, invited: true };
    this.seats.set(inv.room, seat);
    if (!(await this.enter(seat))) return void this.seats.delete(inv.room);
    const kept = (this.deps.invited.get(this.bot.jid) ?? []).filter((r) => r.jid !== inv.room);
    this.deps.invited.set(this.bot.jid, [...kept, { ...seat.room, inviter: inv.inviter, at: Date.now() }]);
    this.deps.log.info("invitation accepted", { bot: this.bot.jid, room: inv.room, inviter: inv.inviter });
  }

  /** Enters one room; a refusal is logged once, with the reason. */
  private async enter(seat: Seat): Promise<boolean> {
    const { jid, nick, password } = seat.room;
    seat.early = [];
    try {
      const held = await this.deps.rooms.enter(jid, { nick, password, as: this.from });
      // §10.1.1: our join created it, so there was no such room; the occupancy leaves it.
      if (held.created)
        throw (
          held.release(),
          new XmppStanzaError("item-not-found", "cancel", "there is no such room", xml("presence", { from: jid, type: "error" }))
        );
      seat.held = held;
      for (const stanza of seat.early.splice(0)) this.onRoomMessage(jid, stanza);
      return true;
    } catch (err) {
      const condition = err instanceof XmppStanzaError ? { condition: err.condition } : {};
      if (!this.stopped)
        this.deps.log.warn("the bot could not join the room", {
          bot: this.bot.jid,
          room: jid,
          reason: err instanceof Error ? err.message : String(err),
          ...condition,
        });
      return false;
    } finally {
      seat.early = undefined;
    }
  }

  /** Kicked, banned, or the room is gone (§7.2.8, §10.9): an invited room is forgotten. */
  private onRemoved(room: string): void {
    const seat = this.seats.get(room);
    if (!seat) return;
    seat.held = undefined;
    if (!seat.invited) return this.deps.log.info("the bot is out of the room until the next reconnect", { bot: this.bot.jid, room });
    this.deps.log.info("the bot forgets the room it was invited to", { bot: this.bot.jid, room });
    this.seats.delete(room);
    this.deps.invited.set(
      this.bot.jid,
      (this.deps.invited.get(this.bot.jid) ?? []).filter((r) => r.jid !== room),
    );
  }

  private onRoomMessage(room: string, stanza: Element): void {
    const seat = this.seats.get(room);
    if (seat?.early && !seat.held) {
      if (seat.early.length < MAX_EARLY_MESSAGES) seat.early.push(stanza);
      return;
    }
    const held = seat?.held;
    const from = stanza.attrs.from ?? "";
    const nick = from.slice(from.indexOf("/") + 1);
    // A message from the room itself: §10.2.1's configuration change makes the occupant list be read again.
    if (held && !from.includes("/") && stanza.attrs.type !== "error") {
      return followConfigChange(stanza, {
        room,
        held,
        from: this.from,
        bot: this.bot.jid,
        request: this.deps.request,
        log: this.deps.log,
        current: () => this.seats.get(room)?.held === held,
      });
    }
    // The room itself (subjects, notices), errors, our bots (ourselves included), history (XEP-0203) are never answered.
    if (
      !held ||
      !from.includes("/") ||
      stanza.attrs.type === "error" ||
      this.isOurBot(room, held, nick) ||
      stanza.getChild("delay", NS_DELAY)
    )
      return;
    const body = stanza.getChildText("body");
    if (body === null || stanza.getChild("subject")) return;
    if (stanza.attrs.type !== "groupchat") return this.onPrivate(room, held, stanza, nick, body.trim());
    const text = addressedTo(body, held.nick);
    if (text === undefined) return;
    const sender = this.senderOf(room, held, nick);
    if (sender === undefined || !this.deps.allowed(sender)) {
      const why = sender === undefined ? "this room does not show me who you are" : "you are not on my list";
      if (!this.refused(room, nick, why) || !this.replySlot(room)) return;
      return this.say(room, held, stanza, { reply: `${nick}: Sorry, I only take commands from people I know, and ${why}.` });
    }
    // The slot is taken as the message arrives, in the room's order: a quick refusal must not
    // use up the slot of an earlier command still running, and a command whose answer would be
    // dropped is not run (no HTTP call for nothing).
    if (!this.replySlot(room)) return;
    void this.deps.command(sender, text === "" ? "help" : text).then((a) => a && this.say(room, held, stanza, a, nick));
  }

  /** A private message from an occupant (§7.5): the chat path, the sender as the room shows it. */
  private onPrivate(room: string, held: HeldRoom, stanza: Element, nick: string, body: string): void {
    const sender = this.senderOf(room, held, nick);
    const reply = (a: Answer) => a && answerMessages(stanza, a).forEach(this.deps.send);
    // Refusals share the room's budget: private messages must not be a way round it.
    if (sender === undefined || !this.deps.allowed(sender))
      return void (this.refused(room, nick, "private") && reply({ reply: "Sorry, I only take commands from people I know." }));
    void this.deps.command(sender, body).then(reply);
  }

  /** Counts a refusal (always) and logs it; true when it may be answered (the room's refusal budget). */
  private refused(room: string, nick: string, why: string): boolean {
    this.deps.forbidden();
    const answered = this.refusals.take(room);
    this.deps.log[answered ? "info" : "debug"]("bot refused a room message", { bot: this.bot.jid, room, nick, why, answered });
    return answered;
  }

  /** A bot of this gateway (this one too): its real JID is ours where the room shows it, or its nick is one of our bots' seats. */
  private isOurBot(room: string, held: HeldRoom, nick: string): boolean {
    const real = held.occupants.get(nick);
    return nick === held.nick || this.deps.ourNick(room, nick) || (real !== undefined && this.deps.ours(real));
  }

  /**
   * Who wrote: the real bare JID the room shows (§7.2.3); where it hides it, nobody, unless
   * `allow: ["*"]` takes anyone, then the occupant JID (`room/nick`, also the rate-limit key).
   */
  private senderOf(room: string, held: HeldRoom, nick: string): string | undefined {
    const real = held.occupants.get(nick);
    if (real !== undefined) return bareJid(real).toLowerCase();
    return this.bot.allow.includes("*") ? `${room}/${nick}` : undefined;
  }

  /** One of the room's replies in the window (3 x rate_limit), else dropped and logged at debug. */
  private replySlot(room: string): boolean {
    if (this.replies.take(room)) return true;
    this.deps.log.debug("bot room reply dropped: too many in the window", { bot: this.bot.jid, room });
    return false;
  }

  /** A groupchat reply to the room (and the files it attaches), from our seat; the sender's nick first, the <thread> kept. Its slot was taken. */
  private say(room: string, held: HeldRoom, stanza: Element, answer: NonNullable<Answer>, to?: string): void {
    const reply = "reply" in answer ? answer.reply : answer.slowDown;
    const text = typeof reply === "string" && to !== undefined ? `${to}: ${reply}` : reply;
    for (const m of answerMessages(stanza, { ...answer, reply: text })) {
      const message = xml("message", { to: room, type: "groupchat", id: `bot-${crypto.randomUUID()}` }, ...m.getChildElements());
      held.say(message, this.deps.timeoutMs).catch((err: unknown) =>
        this.deps.log.warn("bot room reply not taken", {
          bot: this.bot.jid,
          room,
          reason: err instanceof Error ? err.message : String(err),
        }),
      );
    }
  }
}
