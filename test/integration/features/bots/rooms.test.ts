// A config-only bot in rooms (XEP-0045), against each real server and real clients: it joins the
// room of rooms: as an occupant of its own, answers "house: temp kitchen" from the local HTTP
// endpoint in the room, ignores what is not addressed to it, refuses bob (not in allow:) in the
// room, follows alice's XEP-0249 invitation but not bob's, and is back in the invited room after a
// reload and after a restart on the same store.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { joinRoom, type TestClient } from "../../../../testbed/xmpp-client.ts";
import { configHead, loadTestConfig, logTail, startGateway } from "../../../helpers/gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { configureRoom } from "../../plugins/muc_kick-fixtures.ts";

function startSensors() {
  return Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ celsius: 21.5 }) });
}

const routes = (sensors: string, component: string) => `
auth:
  app: { kind: bearer, tokens: [{ token: rooms-token-0123456789, name: app }] }
routes:
  - path: /lounge
    auth: app
    body: { text: string }
    nick: Alerts
    send: '<message to="lounge@muc.localhost" type="groupchat"><body>{{ body.text }}</body></message>'
bots:
  - jid: house@${component}
    allow: ["alice@localhost"]
    rooms: [{ jid: lounge@muc.localhost }]
    accept_invites: true
    commands:
      - match: '^temp (?<room>\\w+)$'
        http: { url: "${sensors}/sensors/{{ match.room }}" }
        reply: "{{ match.room }}: {{ http.json.celsius }} °C"
      - match: '^ping$'
        reply: pong
`;

const LOUNGE = "lounge@muc.localhost";
const DEN = "den@muc.localhost";
const BOBS = "bobs@muc.localhost";
const NON_ANONYMOUS = { "muc#roomconfig_whois": "anyone" };

/** The bot's groupchat in `room` answering `nick` (everyone in the room sees every answer). */
const fromBot =
  (room: string, nick = "Alice") =>
  (s: Element) =>
    s.name === "message" &&
    s.attrs.type === "groupchat" &&
    s.attrs.from === `${room}/house` &&
    (s.getChildText("body") ?? "").startsWith(`${nick}: `);
const botPresence =
  (room: string, available = true) =>
  (s: Element) =>
    s.name === "presence" && s.attrs.from === `${room}/house` && (s.attrs.type === undefined) === available;

for (const server of testServers())
  describe(server.name, () => {
    let sensors: ReturnType<typeof startSensors>;
    let dir: string;
    let text: string;

    const start = () => startGateway(bed.server, { routes: text, store: join(dir, "stanzagate.db") });
    const groupchat = (client: TestClient, room: string, body: string) =>
      client.send(xml("message", { to: room, type: "groupchat" }, xml("body", {}, body)));

    // No gateway from the bed: the bot joins rooms, so the gateway starts once they are set up below.
    const bed = useTestBed(server, { clients: ["alice", "bob"] });

    beforeAll(async () => {
      sensors = startSensors();
      dir = mkdtempSync(join(tmpdir(), "bot-rooms-"));
      text = routes(`http://127.0.0.1:${sensors.port}`, bed.server.componentDomain);
      // alice's rooms show real JIDs to every occupant (§7.2.3): the bot can check allow:.
      for (const room of [LOUNGE, DEN]) {
        await joinRoom(bed.alice, room, "Alice");
        await configureRoom(bed.alice, room, NON_ANONYMOUS);
      }
      await joinRoom(bed.bob, BOBS, "Bob");
      await configureRoom(bed.bob, BOBS, NON_ANONYMOUS);
      bed.gw = await start();
    }, 60_000);

    afterAll(async () => {
      await sensors?.stop(true);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test("the bot of rooms: joins alice's room as an occupant of its own, with its nick", async () => {
      const presence = await bed.alice.nextStanza(botPresence(LOUNGE));
      expect(presence.attrs.from).toBe(`${LOUNGE}/house`);
    });

    test('alice writes "house: temp kitchen": the groupchat reply comes from the local endpoint; what is not addressed to the bot gets nothing', async () => {
      await groupchat(bed.alice, LOUNGE, "temp kitchen");
      await groupchat(bed.alice, LOUNGE, "houseboat: ping");
      await groupchat(bed.alice, LOUNGE, "House: temp kitchen");
      const reply = await bed.alice.nextStanza(fromBot(LOUNGE));
      // The first thing the bot said is the answer to the addressed message, not to the two before.
      expect([reply.attrs.type, reply.getChildText("body")]).toEqual(["groupchat", "Alice: kitchen: 21.5 °C"]);
    });

    test("the route's groupchat and the bot are two occupants: the route's seat is Alerts, the bot's is house", async () => {
      const res = await bed.gw.post("/lounge", {
        headers: { authorization: "Bearer rooms-token-0123456789", "content-type": "application/json" },
        body: JSON.stringify({ text: "disk full" }),
      });
      expect(res.status).toBe(201);
      const got = await bed.alice.nextStanza((s) => s.name === "message" && s.getChildText("body") === "disk full");
      expect(got.attrs.from).toBe(`${LOUNGE}/Alerts`);
    });

    test("bob, in the room but not in allow:, gets a short refusal in the room, not a command run", async () => {
      await joinRoom(bed.bob, LOUNGE, "Bob");
      await groupchat(bed.bob, LOUNGE, "house, ping");
      const reply = await bed.bob.nextStanza(fromBot(LOUNGE, "Bob"));
      expect(reply.getChildText("body")).toBe("Bob: Sorry, I only take commands from people I know, and you are not on my list.");
    });

    test("a 10,000-character addressed body gets the too-long line; the bot keeps serving", async () => {
      await groupchat(bed.alice, LOUNGE, `house: ${"x".repeat(10_000)}`);
      expect((await bed.alice.nextStanza(fromBot(LOUNGE))).getChildText("body")).toBe(
        "Alice: Your message is too long for me (at most 1000 characters).",
      );
      await groupchat(bed.alice, LOUNGE, "house: ping");
      expect((await bed.alice.nextStanza(fromBot(LOUNGE))).getChildText("body")).toBe("Alice: pong");
    });

    test("alice invites the bot to another room by XEP-0249: it joins and answers there", async () => {
      await bed.alice.send(
        xml("message", { to: `house@${bed.server.componentDomain}` }, xml("x", { xmlns: "jabber:x:conference", jid: DEN })),
      );
      await bed.alice.nextStanza(botPresence(DEN));
      await groupchat(bed.alice, DEN, "house: ping");
      expect((await bed.alice.nextStanza(fromBot(DEN))).getChildText("body")).toBe("Alice: pong");
    });

    test("bob's invitation is not followed (he is not in allow:)", async () => {
      const declined = () => bed.gw.logs.some((l) => l.msg === "invitation declined" && l.room === BOBS);
      await bed.bob.send(
        xml("message", { to: `house@${bed.server.componentDomain}` }, xml("x", { xmlns: "jabber:x:conference", jid: BOBS })),
      );
      await waitFor(declined, 10_000, "the invitation to be declined", logTail(bed.gw.logs));
      // The decision came before any join could start: bob's room never saw the bot.
      await groupchat(bed.bob, BOBS, "barrier");
      await bed.bob.nextStanza((s) => s.name === "message" && s.getChildText("body") === "barrier");
      expect(bed.bob.received.some(botPresence(BOBS))).toBe(false);
    });

    test("after a reload the bot is still in both rooms, and the route's groupchat still arrives", async () => {
      await bed.gw.gateway.reload(loadTestConfig(configHead(bed.server, join(dir, "stanzagate.db")) + text));
      await groupchat(bed.alice, DEN, "house: temp kitchen");
      expect((await bed.alice.nextStanza(fromBot(DEN))).getChildText("body")).toBe("Alice: kitchen: 21.5 °C");
      await groupchat(bed.alice, LOUNGE, "house: ping");
      expect((await bed.alice.nextStanza(fromBot(LOUNGE))).getChildText("body")).toBe("Alice: pong");
      const res = await bed.gw.post("/lounge", {
        headers: { authorization: "Bearer rooms-token-0123456789", "content-type": "application/json" },
        body: JSON.stringify({ text: "after reload" }),
      });
      expect(res.status).toBe(201);
      await bed.alice.nextStanza((s) => s.name === "message" && s.getChildText("body") === "after reload");
      expect(bed.alice.received.some(botPresence(LOUNGE, false))).toBe(false);
    });

    test("after a restart on the same store the bot is back in the room it was invited to", async () => {
      await bed.gw.stop();
      await bed.alice.nextStanza(botPresence(DEN, false));
      bed.gw = await start();
      await bed.alice.nextStanza(botPresence(DEN));
      await groupchat(bed.alice, DEN, "house: ping");
      expect((await bed.alice.nextStanza(fromBot(DEN))).getChildText("body")).toBe("Alice: pong");
    });
  });
