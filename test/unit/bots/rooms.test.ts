// The bot in rooms (src/bots/rooms.ts) driven in-process over a fake RoomsPort: room messages in,
// the groupchat lines it says out. Its reply budget per room is taken in the room's order.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { BotRooms, type InvitedRoom } from "../../../src/bots/rooms.ts";
import { createLogger } from "../../../src/log.ts";
import type { HeldRoom, OccupantSettings, RoomListener, RoomsPort } from "../../../src/plugin-api/rooms.ts";
import { loadTestConfig } from "../../helpers/gateway.ts";
import { FAKE_HEAD } from "../../helpers/fake-gateway.ts";

const ROOM = "lounge@muc.localhost";
const BOT = (allow: string) => `
bots:
  - jid: house@gateway.localhost
    allow: [${allow}]
    rate_limit: { commands: 2, window_s: 60 }
    rooms: [{ jid: ${ROOM} }]
    commands: [{ match: '^ping$', reply: pong }]
`;

/** Lets every promise chain and timer callback queued so far run (no fixed wait). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(command: (sender: string, text: string) => Promise<string>, allow = '"alice@localhost"', occupants: Array<[string, string]> = [["Alice", "alice@localhost/phone"], ["Bob", "bob@localhost/phone"]]) {
  const bot = loadTestConfig(FAKE_HEAD + BOT(allow)).bots[0];
  if (!bot) throw new Error("no bot");
  const said: string[] = [];
  const sent: Element[] = [];
  const senders: string[] = [];
  const running: Array<Promise<string>> = [];
  let listener: RoomListener | undefined;
  const held: HeldRoom = {
    from: "house@gateway.localhost/bot", nick: "house", created: false, release: () => {},
    occupants: new Map(occupants),
    say: async (m) => void said.push(m.getChildText("body") ?? ""),
  };
  const rooms: RoomsPort = { occupant: (s: OccupantSettings) => void (listener = s.listener), enter: async () => held, isJoined: () => true };
  const store = new Map<string, InvitedRoom[]>();
  const invited = { get: (k: string) => store.get(k), set: (k: string, v: InvitedRoom[]) => void store.set(k, v), delete: (k: string) => void store.delete(k) };
  const run = (sender: string, text: string) => {
    senders.push(sender);
    const p = command(sender, text);
    running.push(p);
    return p;
  };
  const allowed = (j: string) => allow.split(",").some((a) => JSON.parse(a.trim()) === "*" || JSON.parse(a.trim()) === j);
  new BotRooms(bot, { rooms, invited, send: (el) => void sent.push(el), isOnline: () => true, timeoutMs: 1_000, allowed, command: run, log: createLogger({ level: "error", write: () => {} }) });
  const from = (nick: string, body: string, type = "groupchat") => listener?.message(ROOM, xml("message", { from: `${ROOM}/${nick}`, type }, xml("body", {}, body)));
  /** The bot has entered its room (its enter() resolved). */
  const entered = turn;
  /** Every command run has answered and its reply was said: nothing more can come. */
  const settled = async () => {
    await Promise.all(running);
    await turn();
  };
  return { said, sent, senders, from, entered, settled };
}

describe("the bot's replies in one room", () => {
  test("the budget (3 x rate_limit) goes to the first messages in the room's order: a slow answer keeps its slot against quicker refusals", async () => {
    let n = 0;
    // The first two commands answer late, the rest (the "slow down" lines) at once.
    const late = Promise.withResolvers<void>();
    const { said, from, entered, settled } = setup((_s, _t) => (++n <= 2 ? late.promise.then(() => "pong") : Promise.resolve("Please slow down")));
    await entered();
    for (let i = 0; i < 20; i++) from("Alice", "house: ping");
    await turn();
    late.resolve();
    await settled();
    expect(said.filter((b) => b === "Alice: pong")).toHaveLength(2);
    expect(said).toHaveLength(6);
  });

  test("a command whose answer would be dropped is not run at all", async () => {
    let runs = 0;
    const { said, from, entered, settled } = setup(async () => (runs++, "pong"));
    await entered();
    for (let i = 0; i < 20; i++) from("Alice", "house: ping");
    await settled();
    expect([runs, said.length]).toEqual([6, 6]);
  });

  test("private refusals (§7.5, an occupant not in allow:) share the room's refusal budget (rate_limit)", async () => {
    const { sent, from, entered, settled } = setup(async () => "pong");
    await entered();
    for (let i = 0; i < 20; i++) from("Bob", "ping", "chat");
    await settled();
    expect(sent.map((s) => s.getChildText("body"))).toEqual(["Sorry, I only take commands from people I know.", "Sorry, I only take commands from people I know."]);
  });

  test("a semi-anonymous room (no real JIDs): refused, unless allow: [\"*\"] takes anyone, then keyed by room/nick", async () => {
    const hidden = setup(async () => "pong", '"alice@localhost"', []);
    await hidden.entered();
    hidden.from("Alice", "house: ping");
    await hidden.settled();
    expect(hidden.said).toEqual(["Alice: Sorry, I only take commands from people I know, and this room does not show me who you are."]);

    const anyone = setup(async () => "pong", '"*"', []);
    await anyone.entered();
    anyone.from("Alice", "house: ping");
    await anyone.settled();
    expect(anyone.said).toEqual(["Alice: pong"]);
    expect(anyone.senders).toEqual([`${ROOM}/Alice`]);
  });
});
