// The rooms facility across occupants and reloads (src/rooms/): a bot's exclusive seat is never
// shared, and a retiring configuration gives back only its own seats, so a room the next one
// holds is not left (XEP-0045 §7.14 would take the gateway out of it).
import { expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { silentLogger } from "../../src/log.ts";
import type { StanzaHandler } from "../../src/plugin-api.ts";
import { Rooms } from "../../src/rooms/rooms.ts";
import { GenerationRooms } from "../../src/rooms/generation-rooms.ts";

const ROOM = "ops@muc.example";
const ROUTES = "gw.example/stanzagate";
const BOT = "house@gw.example/bot";
const settings = { nick: "Stanzagate", password: () => undefined, timeoutMs: 1_000, lingerMs: 0, maxLingering: 0, log: silentLogger };

function setup() {
  const sent: Element[] = [];
  const rooms = new Rooms({ send: async (el) => void sent.push(el), maxRooms: 10, log: silentLogger });
  const claims = new Map<string, StanzaHandler>();
  const generation = () => new GenerationRooms(rooms, { claim: (address, handler) => void claims.set(address.toLowerCase(), handler), maxRooms: 10 });
  const joined = (to: string, nick: string) =>
    claims.get(to)?.(xml("presence", { from: `${ROOM}/${nick}`, to }, xml("x", { xmlns: "http://jabber.org/protocol/muc#user" }, xml("item", { jid: to }), xml("status", { code: "110" }))));
  const presences = (type?: string) => sent.filter((s) => s.name === "presence" && s.attrs.type === type);
  return { rooms, generation, joined, presences };
}

test("a bot's exclusive seat is its own: a route in the same room takes a seat of its own, and no route uses the bot's", async () => {
  const { generation, joined, presences } = setup();
  const g = generation();
  g.occupant({ ...settings, from: BOT, nick: "house", exclusive: true });
  g.occupant({ ...settings, from: ROUTES });
  const bot = g.enter(ROOM, { as: BOT });
  await Bun.sleep(0);
  joined(BOT, "house");
  expect((await bot).from).toBe(BOT);
  const route = g.enter(ROOM, { as: ROUTES });
  await Bun.sleep(0);
  joined(ROUTES, "Stanzagate");
  expect((await route).from).toBe(ROUTES);
  expect(presences().map((p) => p.attrs.to)).toEqual([`${ROOM}/house`, `${ROOM}/Stanzagate`]);
});

test("a reload: the new configuration enters the room the old one holds (no second join); the old one retiring does not leave it", async () => {
  const { generation, joined, presences } = setup();
  const old = generation();
  old.occupant({ ...settings, from: BOT, nick: "house", exclusive: true });
  const first = old.enter(ROOM, { as: BOT });
  await Bun.sleep(0);
  joined(BOT, "house");
  await first;
  const fresh = generation();
  fresh.occupant({ ...settings, from: BOT, nick: "house", exclusive: true });
  await fresh.enter(ROOM, { as: BOT });
  old.stop();
  expect(presences()).toHaveLength(1);
  expect(presences("unavailable")).toHaveLength(0);
  fresh.stop();
  expect(presences("unavailable").map((p) => p.attrs.to)).toEqual([`${ROOM}/house`]);
});
