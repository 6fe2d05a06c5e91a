// The engine's rooms (src/rooms/): one seat per room across occupant JIDs, the room's echo as the
// proof a groupchat was taken (XEP-0045 §7.4), and refusals told to the HTTP caller.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { silentLogger } from "../../src/log.ts";
import { GatewayError, IqTimeoutError, XmppStanzaError } from "../../src/plugin-api/errors.ts";
import { Rooms } from "../../src/rooms/rooms.ts";
import { RouteRooms } from "../../src/rooms/route-rooms.ts";

const ROOM = "ops@muc.example";
const KICK = "gw.example/muc_kick";
const ROUTES = "gw.example/stanzagate";
const MUC_USER = "http://jabber.org/protocol/muc#user";

/** Rooms with two occupant JIDs; `from(room)` feeds a stanza from the room to whoever claimed its `to`. */
function rooms(maxRooms = 10) {
  const sent: Element[] = [];
  const r = new Rooms({ send: async (el) => void sent.push(el), maxRooms, log: silentLogger });
  const settings = { nick: "Stanzagate", password: () => undefined, timeoutMs: 1_000, lingerMs: 0, maxLingering: 0, log: silentLogger };
  r.occupant({ ...settings, from: KICK });
  r.occupant({ ...settings, from: ROUTES });
  const deliver = (stanza: Element) => r.handle(stanza);
  /** Our own presence in `room` (status 110), to the occupant JID that asked. */
  const joined = (to: string, room = ROOM, ...codes: string[]) =>
    deliver(
      xml(
        "presence",
        { from: `${room}/Stanzagate`, to },
        xml("x", { xmlns: MUC_USER }, xml("item", { jid: to }), ...["110", ...codes].map((code) => xml("status", { code }))),
      ),
    );
  return { r, sent, deliver, joined, settle: () => Bun.sleep(0) };
}

describe("one seat per room", () => {
  test("a route entering a room muc_kick is in shares that seat: no second join, stanzas go from muc_kick's JID", async () => {
    const { r, sent, joined, settle } = rooms();
    const kick = r.enter(ROOM, { as: KICK });
    await settle();
    joined(KICK);
    await kick;
    const route = await r.enter(ROOM, { as: ROUTES });
    expect(sent.filter((s) => s.name === "presence")).toHaveLength(1);
    expect(route.from).toBe(KICK);
  });

  test("past xmpp.max_rooms a new room is 503 ROOMS_FULL; a room already held is still shared", async () => {
    const { r, settle, joined } = rooms(1);
    const first = r.enter(ROOM, { as: ROUTES });
    await settle();
    joined(ROUTES);
    await first;
    await expect(r.enter("other@muc.example", { as: ROUTES })).rejects.toMatchObject({ code: "ROOMS_FULL", status: 503 });
    expect((await r.enter(ROOM, { as: KICK })).from).toBe(ROUTES);
  });
});

describe("a groupchat is confirmed by the room's echo", () => {
  async function seated() {
    const t = rooms();
    const held = t.r.enter(ROOM, { as: ROUTES });
    await t.settle();
    t.joined(ROUTES);
    return { ...t, held: await held };
  }
  const message = (id: string) => xml("message", { to: ROOM, type: "groupchat", id }, xml("body", {}, "hi"));

  test("the echo with the same id resolves it; the message went from our occupant JID", async () => {
    const { held, sent, deliver } = await seated();
    const said = held.say(message("m1"), 1_000);
    expect(sent.at(-1)?.attrs.from).toBe(ROUTES);
    deliver(xml("message", { from: `${ROOM}/Stanzagate`, to: ROUTES, type: "groupchat", id: "m1" }));
    await said;
  });

  test("an error message with the same id rejects it with the room's condition", async () => {
    const { held, deliver } = await seated();
    const said = held.say(message("m2"), 1_000);
    deliver(
      xml(
        "message",
        { from: ROOM, to: ROUTES, type: "error", id: "m2" },
        xml("error", { type: "modify" }, xml("not-acceptable", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
      ),
    );
    await expect(said).rejects.toBeInstanceOf(XmppStanzaError);
  });

  test("no echo in time rejects with a timeout", async () => {
    const { held } = await seated();
    await expect(held.say(message("m3"), 1)).rejects.toBeInstanceOf(IqTimeoutError);
  });
});

describe("a route's refusals", () => {
  function routeRooms() {
    const t = rooms();
    const settings = { route: "POST /room", nick: undefined, password: () => undefined, timeoutMs: 1_000 };
    const rr = new RouteRooms({
      rooms: t.r,
      from: ROUTES,
      deliver: async () => "queued",
      isOnline: () => true,
      log: silentLogger,
      routes: new Map([[settings.route, settings]]),
      timeoutMs: 1_000,
    });
    return { ...t, rr, settings };
  }

  test("members-only (registration-required) is 403 ROOM_REFUSED naming the condition", async () => {
    const { rr, settings, deliver, settle } = routeRooms();
    const sending = rr.send(xml("message", { to: ROOM, type: "groupchat", id: "x" }), settings);
    await settle();
    deliver(
      xml(
        "presence",
        { from: `${ROOM}/Stanzagate`, to: ROUTES, type: "error" },
        xml("error", { type: "auth" }, xml("registration-required", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
      ),
    );
    const err = await sending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: "ROOM_REFUSED", status: 403, details: { condition: "registration-required", room: ROOM } });
  });

  test("a join that creates the room means there was none: 404, and the new room is left at once", async () => {
    const { rr, settings, joined, sent, settle } = routeRooms();
    const sending = rr.send(xml("message", { to: ROOM, type: "groupchat", id: "y" }), settings);
    await settle();
    joined(ROUTES, ROOM, "201");
    await expect(sending).rejects.toMatchObject({ code: "ROOM_REFUSED", status: 404 });
    await settle();
    expect(sent.at(-1)?.attrs.type).toBe("unavailable");
  });
});

describe("the occupant list read again (HeldRoom.refresh, for XEP-0045 §10.2.1 changes)", () => {
  test("the join presence goes again; real JIDs are forgotten when asked, learnt from the room's presences, and it settles on our own", async () => {
    const { r, sent, deliver, joined, settle } = rooms();
    const entering = r.enter(ROOM, { as: ROUTES });
    await settle();
    deliver(
      xml("presence", { from: `${ROOM}/Alice`, to: ROUTES }, xml("x", { xmlns: MUC_USER }, xml("item", { jid: "alice@example/phone" }))),
    );
    joined(ROUTES);
    const held = await entering;
    let done = false;
    const refreshed = held.refresh(true).then(() => void (done = true));
    expect(held.occupants.get("Alice")).toBeUndefined();
    expect(sent.filter((s) => s.name === "presence" && s.attrs.to === `${ROOM}/Stanzagate`)).toHaveLength(2);
    deliver(
      xml("presence", { from: `${ROOM}/Alice`, to: ROUTES }, xml("x", { xmlns: MUC_USER }, xml("item", { jid: "alice@example/phone" }))),
    );
    await settle();
    expect(done).toBe(false);
    joined(ROUTES);
    await refreshed;
    expect(held.occupants.get("Alice")).toBe("alice@example/phone");
  });

  test("reads asked for while one is under way share it: one join presence, all settled by our own", async () => {
    const { r, sent, joined, settle } = rooms();
    const entering = r.enter(ROOM, { as: ROUTES });
    await settle();
    joined(ROUTES);
    const held = await entering;
    const joins = () => sent.filter((s) => s.name === "presence" && s.attrs.to === `${ROOM}/Stanzagate`).length;
    const reads = Array.from({ length: 20 }, () => held.refresh(false));
    expect(joins()).toBe(2);
    reads.push(held.refresh(true));
    expect(joins()).toBe(3);
    joined(ROUTES);
    await Promise.all(reads);
  });
});
