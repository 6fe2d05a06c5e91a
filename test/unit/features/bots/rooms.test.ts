// The bot in rooms (src/features/bots/rooms.ts) driven in-process over a fake RoomsPort: room messages in,
// the groupchat lines it says out. Its reply budget per room is taken in the room's order.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { BotRooms, type InvitedRoom } from "../../../../src/features/bots/rooms.ts";
import { createLogger } from "../../../../src/log.ts";
import type { HeldRoom, OccupantSettings, RoomListener, RoomsPort } from "../../../../src/plugin-api/rooms.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";

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

function setup(
  command: (sender: string, text: string) => Promise<string>,
  allow = '"alice@localhost"',
  occupants: Array<[string, string]> = [
    ["Alice", "alice@localhost/phone"],
    ["Bob", "bob@localhost/phone"],
  ],
  disco: string[] = [],
) {
  const bot = loadTestConfig(FAKE_HEAD + BOT(allow)).bots[0];
  if (!bot) throw new Error("no bot");
  const said: string[] = [];
  const sent: Element[] = [];
  const senders: string[] = [];
  const running: Array<Promise<unknown>> = [];
  const refreshed: boolean[] = [];
  const asked: Element[] = [];
  const logs: Array<Record<string, unknown>> = [];
  let forbidden = 0;
  let listener: RoomListener | undefined;
  const held: HeldRoom = {
    from: "house@gateway.localhost/bot",
    nick: "house",
    created: false,
    release: () => {},
    occupants: new Map(occupants),
    say: async (m) => {
      said.push(m.getChildText("body") ?? "");
      return m;
    },
    refresh: async (forget) => void refreshed.push(forget),
  };
  const rooms: RoomsPort = {
    occupant: (s: OccupantSettings) => void (listener = s.listener),
    enter: async () => held,
    isJoined: () => true,
  };
  const store = new Map<string, InvitedRoom[]>();
  const invited = {
    get: (k: string) => store.get(k),
    set: (k: string, v: InvitedRoom[]) => void store.set(k, v),
    delete: (k: string) => void store.delete(k),
  };
  const run = (sender: string, text: string) => {
    senders.push(sender);
    const p = command(sender, text).then((reply) => ({ reply }));
    running.push(p);
    return p;
  };
  // The gateway's other bot sits in the room as "Beta"; our domain is gateway.localhost.
  const ours = (jid: string) => jid.split("/")[0]?.endsWith("@gateway.localhost") ?? false;
  const ourNick = (_room: string, nick: string) => nick === "house" || nick === "Beta";
  const request = async (iq: Element) => {
    asked.push(iq);
    return xml(
      "iq",
      { type: "result" },
      xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }, ...disco.map((v) => xml("feature", { var: v }))),
    );
  };
  const log = createLogger({ level: "debug", write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const allowed = (j: string) => allow.split(",").some((a) => JSON.parse(a.trim()) === "*" || JSON.parse(a.trim()) === j);
  new BotRooms(bot, {
    rooms,
    invited,
    send: (el) => void sent.push(el),
    isOnline: () => true,
    timeoutMs: 1_000,
    allowed,
    command: run,
    ours,
    ourNick,
    forbidden: () => void forbidden++,
    request,
    log,
  });
  const from = (nick: string, body: string, type = "groupchat") =>
    listener?.message(ROOM, xml("message", { from: `${ROOM}/${nick}`, type }, xml("body", {}, body)));
  /** A message from the room itself (§10.2.1) with these status codes. */
  const notice = (...codes: string[]) =>
    listener?.message(
      ROOM,
      xml(
        "message",
        { from: ROOM, type: "groupchat" },
        xml("x", { xmlns: "http://jabber.org/protocol/muc#user" }, ...codes.map((code) => xml("status", { code }))),
      ),
    );
  /** The bot has entered its room (its enter() resolved). */
  const entered = turn;
  /** Every command run has answered and its reply was said: nothing more can come. */
  const settled = async () => {
    await Promise.all(running);
    await turn();
  };
  return { said, sent, senders, from, notice, entered, settled, refreshed, asked, logs, held, forbidden: () => forbidden };
}

describe("the bot's replies in one room", () => {
  test("the budget (3 x rate_limit) goes to the first messages in the room's order: a slow answer keeps its slot against quicker refusals", async () => {
    let n = 0;
    // The first two commands answer late, the rest (the "slow down" lines) at once.
    const late = Promise.withResolvers<void>();
    const { said, from, entered, settled } = setup((_s, _t) =>
      ++n <= 2 ? late.promise.then(() => "pong") : Promise.resolve("Please slow down"),
    );
    await entered();
    for (let i = 0; i < 20; i++) from("Alice", "house: ping");
    await turn();
    late.resolve();
    await settled();
    expect(said.filter((b) => b === "Alice: pong")).toHaveLength(2);
    expect(said).toHaveLength(6);
  });

  // The join's last presence and alice's first message can come in one read of the stream, both
  // handled before enter() resumes (seen on ejabberd under load): her message is still answered.
  test("a message that comes before the bot's enter() has resumed is answered once it has", async () => {
    const { said, from, entered, settled } = setup(async () => "pong");
    from("Alice", "house: ping");
    await entered();
    await settled();
    expect(said).toEqual(["Alice: pong"]);
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
    expect(sent.map((s) => s.getChildText("body"))).toEqual([
      "Sorry, I only take commands from people I know.",
      "Sorry, I only take commands from people I know.",
    ]);
  });

  test('a semi-anonymous room (no real JIDs): refused, unless allow: ["*"] takes anyone, then keyed by room/nick', async () => {
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

describe("the gateway's own bots in a room", () => {
  test("a bot never answers another bot of the gateway: by its seat's nick where the room hides real JIDs, by its real JID where it shows them", async () => {
    // Beta is our other bot's seat (nick known); Gamma shows a real JID of our domain.
    const r = setup(async () => "pong", '"*"', [["Gamma", "gamma@gateway.localhost/bot"]]);
    await r.entered();
    r.from("Beta", "house: ping");
    r.from("Gamma", "house: ping");
    r.from("Beta", "ping", "chat");
    r.from("Gamma", "ping", "chat");
    await r.settled();
    expect([r.said, r.sent, r.senders]).toEqual([[], [], []]);
  });

  test("a person impersonating a bot's name is answered as a person, and that answer addressed to the bot's nick is not a command for it", async () => {
    // Alice took the nick "beta" (another case than our bot's "Beta"): she is a person.
    const r = setup(async () => "pong", '"*"', []);
    await r.entered();
    r.from("beta", "house: ping");
    await r.settled();
    expect(r.said).toEqual(["beta: pong"]);
  });
});

describe("refusals in a room are counted and logged", () => {
  test("a semi-anonymous room: every refusal counts as forbidden and is logged with the room and the nick, never the text", async () => {
    const r = setup(async () => "pong", '"alice@localhost"', []);
    await r.entered();
    for (let i = 0; i < 4; i++) r.from("Alice", "house: secret words");
    r.from("Alice", "secret words", "chat");
    await r.settled();
    expect(r.forbidden()).toBe(5);
    const logged = r.logs.filter((l) => l.msg === "bot refused a room message");
    expect(logged.map((l) => [l.level, l.room, l.nick, l.answered])).toEqual([
      ["info", ROOM, "Alice", true],
      ["info", ROOM, "Alice", true],
      ["debug", ROOM, "Alice", false],
      ["debug", ROOM, "Alice", false],
      ["debug", ROOM, "Alice", false],
    ]);
    expect(JSON.stringify(r.logs)).not.toContain("secret");
  });
});

describe("the room changes who sees real JIDs (XEP-0045 §10.2.1)", () => {
  test("172 (now non-anonymous): the occupants are read again at once, keeping what is known", async () => {
    const r = setup(async () => "pong", '"alice@localhost"', []);
    await r.entered();
    r.notice("104", "172");
    await r.settled();
    expect([r.refreshed, r.asked]).toEqual([[false], []]);
  });

  test("173 (now semi-anonymous): the real JIDs are forgotten at once and read again", async () => {
    const r = setup(async () => "pong");
    await r.entered();
    r.notice("173");
    await r.settled();
    expect(r.refreshed).toEqual([true]);
  });

  test("104 alone: the room's disco#info tells (muc_nonanonymous), then the occupants are read again", async () => {
    const r = setup(async () => "pong", '"alice@localhost"', [], ["http://jabber.org/protocol/muc", "muc_nonanonymous"]);
    await r.entered();
    r.notice("104");
    await r.settled();
    expect(r.asked.map((iq) => [iq.attrs.to, iq.attrs.from, iq.getChild("query")?.attrs.xmlns])).toEqual([
      [ROOM, "house@gateway.localhost/bot", "http://jabber.org/protocol/disco#info"],
    ]);
    expect(r.refreshed).toEqual([false]);
  });

  test("a message from the room with no such status (a subject, 170) changes nothing", async () => {
    const r = setup(async () => "pong");
    await r.entered();
    r.notice("170");
    await r.settled();
    expect([r.refreshed, r.asked, r.said]).toEqual([[], [], []]);
  });
});
