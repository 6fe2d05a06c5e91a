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
const BOT = `
bots:
  - jid: house@gateway.localhost
    allow: ["alice@localhost"]
    rate_limit: { commands: 2, window_s: 60 }
    rooms: [{ jid: ${ROOM} }]
    commands: [{ match: '^ping$', reply: pong }]
`;

function setup(command: (sender: string, text: string) => Promise<string>) {
  const bot = loadTestConfig(FAKE_HEAD + BOT).bots[0];
  if (!bot) throw new Error("no bot");
  const said: string[] = [];
  const sent: Element[] = [];
  let listener: RoomListener | undefined;
  const held: HeldRoom = {
    from: "house@gateway.localhost/bot", nick: "house", created: false, release: () => {},
    occupants: new Map([["Alice", "alice@localhost/phone"], ["Bob", "bob@localhost/phone"]]),
    say: async (m) => void said.push(m.getChildText("body") ?? ""),
  };
  const rooms: RoomsPort = { occupant: (s: OccupantSettings) => void (listener = s.listener), enter: async () => held, isJoined: () => true };
  const store = new Map<string, InvitedRoom[]>();
  const invited = { get: (k: string) => store.get(k), set: (k: string, v: InvitedRoom[]) => void store.set(k, v), delete: (k: string) => void store.delete(k) };
  new BotRooms(bot, { rooms, invited, send: (el) => void sent.push(el), isOnline: () => true, timeoutMs: 1_000, allowed: (j) => j === "alice@localhost", command, log: createLogger({ level: "error", write: () => {} }) });
  const from = (nick: string, body: string, type = "groupchat") => listener?.message(ROOM, xml("message", { from: `${ROOM}/${nick}`, type }, xml("body", {}, body)));
  const settle = async (count: number, list: unknown[]) => {
    for (let i = 0; i < 200 && list.length < count; i++) await Bun.sleep(5);
    await Bun.sleep(20);
  };
  return { said, sent, from, settle };
}

describe("the bot's replies in one room", () => {
  test("the budget (3 x rate_limit) goes to the first messages in the room's order: a slow answer keeps its slot against quicker refusals", async () => {
    let n = 0;
    // The first two commands answer late, the rest (the "slow down" lines) at once.
    const { said, from, settle } = setup((_s, _t) => (++n <= 2 ? Bun.sleep(30).then(() => "pong") : Promise.resolve("Please slow down")));
    await Bun.sleep(10);
    for (let i = 0; i < 20; i++) from("Alice", "house: ping");
    await settle(6, said);
    expect(said.filter((b) => b === "Alice: pong")).toHaveLength(2);
    expect(said).toHaveLength(6);
  });

  test("a command whose answer would be dropped is not run at all", async () => {
    let runs = 0;
    const { said, from, settle } = setup(async () => (runs++, "pong"));
    await Bun.sleep(10);
    for (let i = 0; i < 20; i++) from("Alice", "house: ping");
    await settle(6, said);
    expect([runs, said.length]).toEqual([6, 6]);
  });

  test("private refusals (§7.5, an occupant not in allow:) share the room's refusal budget (rate_limit)", async () => {
    const { sent, from, settle } = setup(async () => "pong");
    await Bun.sleep(10);
    for (let i = 0; i < 20; i++) from("Bob", "ping", "chat");
    await settle(2, sent);
    expect(sent.map((s) => s.getChildText("body"))).toEqual(["Sorry, I only take commands from people I know.", "Sorry, I only take commands from people I know."]);
  });
});
