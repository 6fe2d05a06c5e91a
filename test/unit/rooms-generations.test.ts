// The rooms facility across occupants and reloads (src/rooms/): a bot's exclusive seat is never
// shared, and a retiring configuration gives back only its own seats, so a room the next one
// holds is not left (XEP-0045 §7.14 would take the gateway out of it).
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { silentLogger } from "../../src/log.ts";
import type { StanzaHandler } from "../../src/plugin-api/index.ts";
import { Rooms } from "../../src/rooms/rooms.ts";
import { GenerationRooms } from "../../src/rooms/generation-rooms.ts";
import { RouteRooms } from "../../src/rooms/route-rooms.ts";

const ROOM = "ops@muc.example";
const ROUTES = "gw.example/stanzagate";
const BOT = "house@gw.example/bot";
const settings = { nick: "Stanzagate", password: () => undefined, timeoutMs: 1_000, lingerMs: 0, maxLingering: 0, log: silentLogger };

function setup() {
  const sent: Element[] = [];
  const rooms = new Rooms({ send: async (el) => void sent.push(el), maxRooms: 10, log: silentLogger });
  const claims = new Map<string, StanzaHandler>();
  const generation = () =>
    new GenerationRooms(rooms, { claim: (address, handler) => void claims.set(address.toLowerCase(), handler), maxRooms: 10 });
  const joined = (to: string, nick: string, room = ROOM) =>
    claims.get(to)?.(
      xml(
        "presence",
        { from: `${room}/${nick}`, to },
        xml("x", { xmlns: "http://jabber.org/protocol/muc#user" }, xml("item", { jid: to }), xml("status", { code: "110" })),
      ),
    );
  const echo = (to: string, nick: string, room: string, id: string) =>
    claims.get(to)?.(xml("message", { from: `${room}/${nick}`, to, type: "groupchat", id }));
  const presences = (type?: string) => sent.filter((s) => s.name === "presence" && s.attrs.type === type);
  return { rooms, generation, joined, echo, presences };
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

describe("the routes' seats across a reload (RouteRooms.handover / adopt)", () => {
  const OTHER = "lobby@muc.example";
  const route = (key: string, nick?: string) => ({ route: key, nick, password: () => undefined, timeoutMs: 1_000 });

  /** A configuration's RouteRooms over its own GenerationRooms, with these routes. */
  function configuration(t: ReturnType<typeof setup>, routes: ReturnType<typeof route>[]) {
    const g = t.generation();
    g.occupant({ ...settings, from: ROUTES });
    const rr = new RouteRooms({
      rooms: g,
      from: ROUTES,
      deliver: async () => "queued",
      isOnline: () => true,
      log: silentLogger,
      routes: new Map(routes.map((r) => [r.route, r])),
      timeoutMs: 1_000,
    });
    return { g, rr };
  }

  /** A route posts to `room`: the room lets the gateway in and echoes the message (§7.2.3, §7.4). */
  async function post(t: ReturnType<typeof setup>, rr: RouteRooms, r: ReturnType<typeof route>, room: string, id: string): Promise<void> {
    const sending = rr.send(xml("message", { to: room, type: "groupchat", id }), r);
    await Bun.sleep(0);
    t.joined(ROUTES, r.nick ?? "Stanzagate", room);
    await Bun.sleep(0);
    t.echo(ROUTES, r.nick ?? "Stanzagate", room, id);
    await sending;
  }

  test("a seat whose route is still there (same nick) is kept: no leave, no join; one whose route went is left", async () => {
    const t = setup();
    const old = configuration(t, [route("POST /ops"), route("POST /lobby")]);
    await post(t, old.rr, route("POST /ops"), ROOM, "m1");
    await post(t, old.rr, route("POST /lobby"), OTHER, "m2");
    const fresh = configuration(t, [route("POST /ops")]);
    await fresh.rr.adopt(old.rr.handover());
    old.g.stop();
    expect(t.presences().map((p) => p.attrs.to)).toEqual([`${ROOM}/Stanzagate`, `${OTHER}/Stanzagate`]);
    expect(t.presences("unavailable").map((p) => p.attrs.to)).toEqual([`${OTHER}/Stanzagate`]);
  });

  test("a reload while the link is down: the new configuration enters the room again at the reconnect, and nothing leaves it", async () => {
    const t = setup();
    const old = configuration(t, [route("POST /ops")]);
    await post(t, old.rr, route("POST /ops"), ROOM, "m1");
    t.rooms.offline();
    const fresh = configuration(t, [route("POST /ops")]);
    await fresh.rr.adopt(old.rr.handover());
    old.g.stop();
    // The order app.ts keeps at a reconnect: the routes enter again, then the rooms left behind are left.
    fresh.rr.online();
    t.rooms.online();
    expect(t.presences().map((p) => p.attrs.to)).toEqual([`${ROOM}/Stanzagate`, `${ROOM}/Stanzagate`]);
    expect(t.presences("unavailable")).toEqual([]);
  });

  test("a route whose nick changed does not keep the seat: the old nick leaves", async () => {
    const t = setup();
    const old = configuration(t, [route("POST /ops")]);
    await post(t, old.rr, route("POST /ops"), ROOM, "m1");
    const fresh = configuration(t, [route("POST /ops", "Sirens")]);
    await fresh.rr.adopt(old.rr.handover());
    old.g.stop();
    expect(t.presences("unavailable").map((p) => p.attrs.to)).toEqual([`${ROOM}/Stanzagate`]);
  });
});
