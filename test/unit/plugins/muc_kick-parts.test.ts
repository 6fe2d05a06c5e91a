// muc_kick's parts in-process, with a fake XMPP side: body parsing, finding rooms by disco#info,
// and the room bookkeeping (shared joins, nick conflicts, lingering, a dropped link).
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { parseKickBody } from "../../../plugins/muc_kick/body.ts";
import { createLocator } from "../../../plugins/muc_kick/locate.ts";
import { Occupancy } from "../../../src/rooms/occupancy.ts";
import { nicksWithJid } from "../../../plugins/muc_kick/actions.ts";
import { resourceFromPath } from "../../../plugins/muc_kick/index.ts";
import { XmppStanzaError } from "../../../src/plugin-api/index.ts";
import { parseJid } from "../../../src/kit/jid.ts";
import { createLogger } from "../../../src/log.ts";

const ME = "gateway.localhost/muc_kick";
const ROOM = "room@muc.localhost";
const silent = createLogger({ write: () => {} });

describe("the request body", () => {
  test("reads nickname, muc and reason; a missing reason is an empty one", () => {
    expect(parseKickBody(`{"nickname":"Bob","muc":"Room@muc.localhost"}`)).toMatchObject({
      target: { kind: "nick", nick: "Bob" },
      reason: "",
      room: { local: "Room", domain: "muc.localhost" },
    });
  });

  test("takes a number as a nickname, as Lua's string concatenation did", () => {
    expect(parseKickBody(`{"nickname":42,"muc":"r@m"}`)).toMatchObject({ target: { kind: "nick", nick: "42" } });
  });

  test("prefers nickname over jid when both are given, and needs a user part in jid", () => {
    expect(parseKickBody(`{"nickname":"Bob","jid":"bob@localhost","muc":"r@m"}`)).toMatchObject({ target: { kind: "nick" } });
    expect(parseKickBody(`{"jid":"localhost","muc":"r@m"}`)).toEqual({ kind: "invalid-jid", field: "jid", value: "localhost" });
  });

  test("refuses text XML cannot carry", () => {
    expect(parseKickBody(`{"nickname":"Bob","muc":"r@m","reason":"nul\\u0000"}`)).toEqual({ kind: "invalid-text", field: "reason" });
  });
});

describe("occupants by real JID", () => {
  const occupants = new Map([
    ["Bob", "bob@localhost/phone"],
    ["Bobby", "bob@localhost/laptop"],
    ["Anon", undefined],
    ["Alice", "alice@localhost/x"],
  ]);
  test("a bare JID matches every resource; a full JID only itself", () => {
    expect(nicksWithJid(occupants, parseJid("Bob@localhost")!)).toEqual(["Bob", "Bobby"]);
    expect(nicksWithJid(occupants, parseJid("bob@localhost/laptop")!)).toEqual(["Bobby"]);
  });
});

describe("finding the room by disco#info", () => {
  const result = (...features: string[]) =>
    xml(
      "iq",
      { type: "result" },
      xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }, ...features.map((f) => xml("feature", { var: f }))),
    );
  const error = (condition: string) => new XmppStanzaError(condition, "cancel", undefined, xml("iq"));
  function locatorAnswering(answers: Record<string, Element | Error>) {
    const asked: string[] = [];
    const request = async (iq: Element) => {
      asked.push(iq.attrs.to ?? "");
      const a = answers[iq.attrs.to ?? ""];
      if (a === undefined || a instanceof Error) throw a ?? error("remote-server-not-found");
      return a;
    };
    return { asked, locate: createLocator({ request, from: ME, component: "gateway.localhost", timeoutMs: 100 }) };
  }

  test("tells no such host, not a MUC, and no such room apart", async () => {
    const { locate } = locatorAnswering({
      "muc.localhost": result("http://jabber.org/protocol/muc"),
      localhost: result(),
      "pubsub.localhost": error("service-unavailable"),
      [ROOM]: error("item-not-found"),
    });
    expect(await locate(parseJid("r@nohost")!, { roomKnown: false })).toBe("No such host: nohost");
    expect(await locate(parseJid("r@localhost")!, { roomKnown: false })).toBe("Host 'localhost' is not a MUC service");
    expect(await locate(parseJid("r@pubsub.localhost")!, { roomKnown: false })).toBe("Host 'pubsub.localhost' is not a MUC service");
    expect(await locate(parseJid(ROOM)!, { roomKnown: false })).toBe("No MUC 'room' found for host: muc.localhost");
  });

  test("remembers a MUC service, and skips the room query for a room it is in", async () => {
    const { locate, asked } = locatorAnswering({ "muc.localhost": result("http://jabber.org/protocol/muc") });
    expect(await locate(parseJid(ROOM)!, { roomKnown: true })).toBeUndefined();
    expect(await locate(parseJid(ROOM)!, { roomKnown: true })).toBeUndefined();
    expect(asked).toEqual(["muc.localhost"]);
  });
});

/** An Occupancy whose sent stanzas are recorded; `room(...)` feeds it presences from the room. */
function occupancy(opts: { lingerMs?: number; maxLingering?: number; timeoutMs?: number } = {}) {
  const sent: Element[] = [];
  const occ = new Occupancy({
    send: async (el) => void sent.push(el),
    from: ME,
    nick: "Stanzagate",
    password: () => undefined,
    timeoutMs: opts.timeoutMs ?? 1_000,
    lingerMs: opts.lingerMs ?? 0,
    maxLingering: opts.maxLingering ?? 10,
    log: silent,
  });
  const presence = (room: string, nick: string, attrs: Record<string, string>, ...children: Element[]) =>
    occ.handle(xml("presence", { from: `${room}/${nick}`, to: ME, ...attrs }, ...children));
  const x = (jid: string | undefined, ...codes: string[]) =>
    xml(
      "x",
      { xmlns: "http://jabber.org/protocol/muc#user" },
      xml("item", jid ? { jid } : {}),
      ...codes.map((code) => xml("status", { code })),
    );
  const settle = () => Bun.sleep(0);
  return { occ, sent, presence, x, settle };
}

describe("being in rooms", () => {
  test("a join completes on our own presence, with every occupant sent before it", async () => {
    const { occ, sent, presence, x, settle } = occupancy();
    const held = occ.acquire(ROOM);
    await settle();
    expect(sent.map(String)).toEqual([
      `<presence to="${ROOM}/Stanzagate" from="${ME}"><x xmlns="http://jabber.org/protocol/muc"><history maxstanzas="0"/></x></presence>`,
    ]);
    presence(ROOM, "Bob", {}, x("bob@localhost/phone"));
    presence(ROOM, "Stanzagate", {}, x(ME, "110"));
    expect([...(await held).occupants]).toEqual([["Bob", "bob@localhost/phone"]]);
  });

  test("two requests share one join, and the room is left when the last releases it", async () => {
    const { occ, sent, presence, x, settle } = occupancy();
    const [a, b] = [occ.acquire(ROOM), occ.acquire(ROOM)];
    await settle();
    presence(ROOM, "Stanzagate", {}, x(ME, "110"));
    (await a).release();
    expect(sent).toHaveLength(1);
    (await b).release();
    expect(sent.map((s) => s.attrs.type)).toEqual([undefined, "unavailable"]);
  });

  test("a nick held by someone else is retried once with a suffix", async () => {
    const { occ, sent, presence, x, settle } = occupancy();
    const held = occ.acquire(ROOM);
    await settle();
    presence(
      ROOM,
      "Stanzagate",
      { type: "error" },
      xml("error", { type: "cancel" }, xml("conflict", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
    );
    await settle();
    const retry = sent[1]?.attrs.to ?? "";
    expect(retry).toMatch(/^room@muc\.localhost\/Stanzagate-\w+$/);
    presence(ROOM, retry.split("/")[1] ?? "", {}, x(ME, "110"));
    await held;
  });

  test("with linger_ms, idle rooms beyond max_lingering_rooms are left, oldest first", async () => {
    const { occ, sent, presence, x, settle } = occupancy({ lingerMs: 60_000, maxLingering: 1 });
    for (const room of ["a@muc.localhost", "b@muc.localhost"]) {
      const held = occ.acquire(room);
      await settle();
      presence(room, "Stanzagate", {}, x(ME, "110"));
      (await held).release();
    }
    expect(sent.filter((s) => s.attrs.type === "unavailable").map((s) => s.attrs.to)).toEqual(["a@muc.localhost/Stanzagate"]);
    occ.stop();
  });

  test("after the link drops, the rooms we were in are left once it is back", async () => {
    const { occ, sent, presence, x, settle } = occupancy({ lingerMs: 60_000 });
    const held = occ.acquire(ROOM);
    await settle();
    presence(ROOM, "Stanzagate", {}, x(ME, "110"));
    (await held).release();
    occ.offline();
    expect(occ.isJoined(ROOM)).toBe(false);
    occ.online();
    expect(sent.at(-1)?.attrs).toMatchObject({ to: `${ROOM}/Stanzagate`, type: "unavailable" });
  });

  test("a join that answers after its timeout is left at once", async () => {
    const { occ, sent, presence, x, settle } = occupancy({ timeoutMs: 1 });
    await expect(occ.acquire(ROOM)).rejects.toThrow("no answer");
    presence(ROOM, "Stanzagate", {}, x(ME, "110"));
    await settle();
    expect(sent.at(-1)?.attrs).toMatchObject({ to: `${ROOM}/Stanzagate`, type: "unavailable" });
  });

  test("takes room traffic to our occupant JID (never answered), but leaves iqs to the engine", () => {
    const { occ } = occupancy();
    expect(occ.handle(xml("message", { from: ROOM, to: ME, type: "groupchat" }, xml("subject")))).toBe(true);
    expect(occ.handle(xml("message", { from: `${ROOM}/Bob`, to: ME, type: "chat" }))).toBe(true);
    expect(occ.handle(xml("iq", { from: `${ROOM}/Bob`, to: ME, type: "get", id: "1" }))).toBe(false);
    expect(occ.handle(xml("message", { from: "bob@localhost", to: "gateway.localhost" }))).toBe(false);
  });

  test("derives each route's resource from its path", () => {
    expect([resourceFromPath("/muc_kick"), resourceFromPath("/api/muc/ban")]).toEqual(["muc_kick", "api-muc-ban"]);
  });
});
