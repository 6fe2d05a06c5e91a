// A bot in rooms at the edges, against each real server: mediated invitations (XEP-0045 §7.8.2)
// followed or declined back to the inviter, semi-anonymous rooms, members-only and
// password-protected rooms of rooms:, max_rooms, a flood of addressed messages, odd Unicode nicks,
// and a kick (an invited room forgotten across a restart, a rooms: room entered again).
// The rooms live on a second MUC service where the gateway is no service admin (on ejabberd the
// component's JIDs are admins of muc.localhost, which would let the bot past every door).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { NS_MUC_USER, joinRoom, type TestClient } from "../../../../testbed/xmpp-client.ts";
import { logTail, startGateway } from "../../../helpers/gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { MUC2, configureRoom, setAffiliation } from "../../plugins/muc_kick-fixtures.ts";

const room = (name: string) => `${name}@${MUC2}`;
const [LOUNGE, DEN, BOBS, MASKED, MASKED_MOD, CLUB, VAULT, SAFE, UNI, T1, T2] = [
  "lounge",
  "den",
  "bobs",
  "masked",
  "masked-mod",
  "club",
  "vault",
  "safe",
  "uni",
  "t1",
  "t2",
].map(room) as [string, string, string, string, string, string, string, string, string, string, string];
/** Decomposed on purpose (e + U+0308): servers may normalise it (resourceprep, NFKC). */
const BOT_NICK = "Zoe\u0308 ☃";
const ALICE_ODD = "Al\u0308ice ☃";
/** U+1F98A, past Unicode 3.2: Prosody's strict resourceprep refuses it in a nick. */
const BOB_EMOJI = "Bob 🦊";

const routes = (component: string) => `
bots:
  - jid: house@${component}
    allow: ["alice@localhost"]
    accept_invites: true
    rooms:
      - { jid: ${LOUNGE} }
      - { jid: ${MASKED} }
      - { jid: ${MASKED_MOD} }
      - { jid: ${CLUB} }
      - { jid: ${VAULT}, password: wrong }
      - { jid: ${SAFE}, password: open-sesame }
      - { jid: ${UNI}, nick: "${BOT_NICK}" }
    commands:
      - { match: '^ping$', reply: pong }
  - jid: tiny@${component}
    allow: ["alice@localhost"]
    accept_invites: true
    max_rooms: 1
    rate_limit: { commands: 2, window_s: 300 }
    commands:
      - { match: '^ping$', reply: pong }
`;

const isGroupchatFrom =
  (occupant: string, prefix = "") =>
  (s: Element) =>
    s.name === "message" && s.attrs.type === "groupchat" && s.attrs.from === occupant && (s.getChildText("body") ?? "").startsWith(prefix);
const presenceOf =
  (occupant: string, available = true) =>
  (s: Element) =>
    s.name === "presence" && s.attrs.from === occupant && (s.attrs.type === undefined) === available;
const bodyIs = (text: string) => (s: Element) => s.name === "message" && s.getChildText("body") === text;

for (const server of testServers())
  describe(server.name, () => {
    let dir: string;
    let house: string;
    let tiny: string;

    const start = () => startGateway(bed.server, { routes: routes(bed.server.componentDomain), store: join(dir, "stanzagate.db") });
    const groupchat = (client: TestClient, to: string, body: string) =>
      client.send(xml("message", { to, type: "groupchat" }, xml("body", {}, body)));
    const mediated = (client: TestClient, to: string, invitee: string) =>
      client.send(xml("message", { to }, xml("x", { xmlns: NS_MUC_USER }, xml("invite", { to: invitee }))));
    /** A groupchat of the client's own, echoed back: everything the room sent it before is in. */
    const barrier = async (client: TestClient, to: string) => {
      const text = `barrier ${crypto.randomUUID()}`;
      await groupchat(client, to, text);
      await client.nextStanza(bodyIs(text), 10_000);
    };
    const logsOf = (msg: string, roomJid?: string) =>
      bed.gw.logs.filter((l) => l.msg === msg && (roomJid === undefined || l.room === roomJid));

    // No gateway from the bed: the bot joins rooms, so the gateway starts once they are set up below.
    const bed = useTestBed(server, {
      server: { extraMucServices: [{ domain: MUC2, admins: ["carol@localhost"] }] },
      clients: ["alice", "bob"],
    });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "bot-rooms-edges-"));
      house = `house@${bed.server.componentDomain}`;
      tiny = `tiny@${bed.server.componentDomain}`;
      const open = { "muc#roomconfig_whois": "anyone" };
      for (const name of [LOUNGE, DEN, T1, T2, UNI])
        await joinRoom(bed.alice, name, name === UNI ? ALICE_ODD : "Alice").then(() => configureRoom(bed.alice, name, open));
      await joinRoom(bed.bob, BOBS, "Bob").then(() => configureRoom(bed.bob, BOBS, open));
      for (const name of [MASKED, MASKED_MOD])
        await joinRoom(bed.alice, name, "Alice").then(() => configureRoom(bed.alice, name, { "muc#roomconfig_whois": "moderators" }));
      await setAffiliation(bed.alice, MASKED_MOD, house, "admin");
      await joinRoom(bed.alice, CLUB, "Alice").then(() => configureRoom(bed.alice, CLUB, { ...open, "muc#roomconfig_membersonly": "1" }));
      for (const [name, secret] of [
        [VAULT, "sesame"],
        [SAFE, "open-sesame"],
      ] as const) {
        await joinRoom(bed.alice, name, "Alice").then(() =>
          configureRoom(bed.alice, name, { ...open, "muc#roomconfig_passwordprotectedroom": "1", "muc#roomconfig_roomsecret": secret }),
        );
      }
      bed.gw = await start();
    }, 90_000);

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test("members-only without membership and a wrong password: each refusal logged once with its condition; the right password: joined; chat still served", async () => {
      await bed.alice.nextStanza(presenceOf(`${SAFE}/house`), 15_000);
      await waitFor(
        () => logsOf("the bot could not join the room", CLUB).length > 0 && logsOf("the bot could not join the room", VAULT).length > 0,
        15_000,
        "both refusals",
        logTail(bed.gw.logs),
      );
      await bed.alice.send(xml("message", { to: house, type: "chat" }, xml("body", {}, "ping")));
      await bed.alice.nextStanza((s) => bodyIs("pong")(s) && (s.attrs.from ?? "").startsWith(house));
      expect(logsOf("the bot could not join the room", CLUB).map((l) => l.condition)).toEqual(["registration-required"]);
      expect(logsOf("the bot could not join the room", VAULT).map((l) => l.condition)).toEqual(["not-authorized"]);
    });

    test("a semi-anonymous room hides alice's JID from the bot: the polite refusal in the room", async () => {
      await bed.alice.nextStanza(presenceOf(`${MASKED}/house`), 15_000);
      await groupchat(bed.alice, MASKED, "house: ping");
      const reply = await bed.alice.nextStanza(isGroupchatFrom(`${MASKED}/house`), 10_000);
      expect(reply.getChildText("body")).toBe(
        "Alice: Sorry, I only take commands from people I know, and this room does not show me who you are.",
      );
    });

    test("a semi-anonymous room where the bot is an admin (a moderator sees real JIDs, §7.2.3): the command is answered", async () => {
      await bed.alice.nextStanza(presenceOf(`${MASKED_MOD}/house`), 15_000);
      await groupchat(bed.alice, MASKED_MOD, "house: ping");
      expect((await bed.alice.nextStanza(isGroupchatFrom(`${MASKED_MOD}/house`), 10_000)).getChildText("body")).toBe("Alice: pong");
    });

    test("a non-ASCII bot nick configured decomposed (e + U+0308, resourceprep may compose it) and alice's nick with a combining mark: addressed either way, answered by her nick", async () => {
      const joined = await bed.alice.nextStanza(
        (s) =>
          s.name === "presence" &&
          (s.attrs.from ?? "").startsWith(`${UNI}/`) &&
          s.attrs.type === undefined &&
          (s.attrs.from ?? "").includes("☃"),
        15_000,
      );
      const botNick = (joined.attrs.from as string).slice(UNI.length + 1);
      expect(botNick.normalize("NFC")).toBe(BOT_NICK.normalize("NFC"));
      // Alice types the nick decomposed, the way it was configured: both forms address the bot.
      await groupchat(bed.alice, UNI, `${BOT_NICK.toLowerCase()}: ping`);
      const reply = await bed.alice.nextStanza(isGroupchatFrom(`${UNI}/${botNick}`), 10_000);
      const aliceNick = (
        bed.alice.received.find((s) => s.name === "presence" && s.attrs.from?.startsWith(`${UNI}/Al`))!.attrs.from as string
      ).slice(UNI.length + 1);
      expect(reply.getChildText("body")).toBe(`${aliceNick}: pong`);
      await groupchat(bed.alice, UNI, `${BOT_NICK.normalize("NFC").toUpperCase()}, ping`);
      expect((await bed.alice.nextStanza(isGroupchatFrom(`${UNI}/${botNick}`), 10_000)).getChildText("body")).toBe(`${aliceNick}: pong`);
    });

    test(
      server.name === "prosody"
        ? "an emoji nick (past Unicode 3.2) never reaches the bot: Prosody's room refuses it (jid-malformed, strict resourceprep)"
        : "an emoji nick (past Unicode 3.2) never reaches the bot: ejabberd's c2s refuses the address (bad-request)",
      async () => {
        await expect(joinRoom(bed.bob, UNI, BOB_EMOJI)).rejects.toThrow(server.name === "prosody" ? "jid-malformed" : "bad-request");
      },
    );

    test("alice's mediated invitation (§7.8.2, through the room) is followed: the bot joins and answers", async () => {
      await mediated(bed.alice, DEN, house);
      await bed.alice.nextStanza(presenceOf(`${DEN}/house`), 15_000);
      await groupchat(bed.alice, DEN, "house: ping");
      expect((await bed.alice.nextStanza(isGroupchatFrom(`${DEN}/house`), 10_000)).getChildText("body")).toBe("Alice: pong");
    });

    test("bob's mediated invitation is declined: bob gets the §7.8.2 decline from the room, and the bot never joins", async () => {
      await mediated(bed.bob, BOBS, house);
      const decline = await bed.bob.nextStanza(
        (s) => s.name === "message" && s.attrs.from === BOBS && s.getChild("x", NS_MUC_USER)?.getChild("decline") !== undefined,
        10_000,
      );
      expect(decline.getChild("x", NS_MUC_USER)?.getChild("decline")?.getChildText("reason")).toBe("the inviter may not use this bot");
      await barrier(bed.bob, BOBS);
      expect(bed.bob.received.some(presenceOf(`${BOBS}/house`))).toBe(false);
    });

    test("max_rooms 1: the first invitation is followed, the next one is declined back to alice and logged, never joined", async () => {
      await bed.alice.send(xml("message", { to: tiny }, xml("x", { xmlns: "jabber:x:conference", jid: T1 })));
      await bed.alice.nextStanza(presenceOf(`${T1}/tiny`), 15_000);
      await mediated(bed.alice, T2, tiny);
      const decline = await bed.alice.nextStanza(
        (s) => s.name === "message" && s.attrs.from === T2 && s.getChild("x", NS_MUC_USER)?.getChild("decline") !== undefined,
        10_000,
      );
      expect(decline.getChild("x", NS_MUC_USER)?.getChild("decline")?.getChildText("reason")).toBe("this bot is in 1 rooms already");
      expect(logsOf("invitation declined", T2).map((l) => l.why)).toEqual(["this bot is in 1 rooms already"]);
      await barrier(bed.alice, T2);
      expect(bed.alice.received.some(presenceOf(`${T2}/tiny`))).toBe(false);
    });

    test("a flood of 40 addressed messages from alice: 2 answers and one slow-down notice, 3 lines in all; 6 slots (3 x rate_limit per room) taken", async () => {
      for (let i = 0; i < 40; i++) await groupchat(bed.alice, T1, "tiny: ping");
      const lines = (await bed.alice.collect(isGroupchatFrom(`${T1}/tiny`), 3, 20_000)).map((s) => s.getChildText("body"));
      const slow = "Alice: Please slow down: I answer at most 2 commands every 300 s. Try again in a moment.";
      // The two commands in the limit keep their slots against the quicker notice (any order).
      expect(lines.toSorted()).toEqual(["Alice: pong", "Alice: pong", slow].toSorted());
      // A private message through the room after the flood: once it is answered, the bot has read
      // all 40, and the 34 past the budget started nothing that could still speak. alice is past
      // her limit and was told so, so it is one too long to read (max_input_chars comes first).
      await bed.alice.send(xml("message", { to: `${T1}/tiny`, type: "chat" }, xml("body", {}, "x".repeat(1001))));
      await bed.alice.nextStanza((s) => s.name === "message" && s.attrs.type === "chat" && s.attrs.from === `${T1}/tiny`, 20_000);
      await barrier(bed.alice, T1);
      expect(bed.alice.received.filter(isGroupchatFrom(`${T1}/tiny`))).toHaveLength(3);
      expect(bed.gw.logs.filter((l) => l.msg === "bot room reply dropped: too many in the window" && l.room === T1)).toHaveLength(34);
    }, 60_000);

    test("kicked from an invited room and from a rooms: room: after a restart on the same store, back in the rooms: one only", async () => {
      for (const name of [DEN, LOUNGE]) {
        await bed.alice.iq(
          xml(
            "iq",
            { type: "set", to: name },
            xml("query", { xmlns: "http://jabber.org/protocol/muc#admin" }, xml("item", { nick: "house", role: "none" })),
          ),
        );
        await bed.alice.nextStanza(presenceOf(`${name}/house`, false), 10_000);
      }
      await waitFor(
        () =>
          logsOf("the bot forgets the room it was invited to", DEN).length === 1 &&
          logsOf("the bot is out of the room until the next reconnect", LOUNGE).length === 1,
        10_000,
        "both kicks seen",
        logTail(bed.gw.logs),
      );
      await bed.gw.stop();
      bed.gw = await start();
      await bed.alice.nextStanza(presenceOf(`${LOUNGE}/house`), 15_000);
      const entered = logsOf("the bot enters its rooms").find((l) => l.bot === house)?.rooms as string[];
      expect(entered).toContain(LOUNGE);
      expect(entered).not.toContain(DEN);
      await barrier(bed.alice, DEN);
      const sinceKick = bed.alice.received.slice(bed.alice.received.findLastIndex(presenceOf(`${DEN}/house`, false)));
      expect(sinceKick.some(presenceOf(`${DEN}/house`))).toBe(false);
    }, 60_000);
  });
