// Declarative routes posting groupchat to rooms, against each real server's MUC (XEP-0045): the
// gateway enters the room, the room's echo confirms the message (201), a refusal is a 4xx JSON.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { testServers } from "../helpers/servers.ts";
import { connectClient, joinRoom } from "../../testbed/xmpp-client.ts";
import { configHead, loadTestConfig, logTail } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { useTestBed } from "../helpers/bed.ts";
import xml from "@xmpp/xml";
import { MUC2, configureRoom, leftWithStatus, mucItem, postJson, routesYaml, setAffiliation } from "./plugins/muc_kick-fixtures.ts";

const ROUTES = routesYaml(`
  - path: /room/:room
    auth: kick
    body: { text: string }
    nick: Alerts
    rooms: { "vault@muc.localhost": sesame }
    send: '<message to="{{ params.room }}" type="groupchat"><body>{{ body.text }}</body></message>'
  - plugin: muc_kick
    auth: kick
`);

const groupchatFrom = (occupant: string, text: string) => (s: Element) =>
  s.name === "message" && s.attrs.type === "groupchat" && s.attrs.from === occupant && s.getChildText("body") === text;

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, {
      server: { extraMucServices: [{ domain: MUC2, admins: [] }] },
      gateway: { routes: ROUTES },
      clients: ["bob", "alice"],
    });

    test("bob, an occupant, gets the route's groupchat from the gateway's nick; the echo makes it a 201", async () => {
      const room = "ops@muc.localhost";
      await joinRoom(bed.bob, room, "Bob");
      const res = await postJson(bed.gw, `/room/${room}`, { text: "disk full" });
      expect([res.status, await res.json()]).toMatchObject([201, { status: "sent" }]);
      await bed.bob.nextStanza(groupchatFrom(`${room}/Alerts`, "disk full"));
      // The gateway stays: a second message needs no new join, and arrives too.
      expect((await postJson(bed.gw, `/room/${room}`, { text: "disk ok" })).status).toBe(201);
      await bed.bob.nextStanza(groupchatFrom(`${room}/Alerts`, "disk ok"));
    });

    test("a members-only room where the gateway is no member: 403 ROOM_REFUSED registration-required", async () => {
      const room = `club@${MUC2}`;
      await joinRoom(bed.bob, room, "Bob");
      await configureRoom(bed.bob, room, { "muc#roomconfig_membersonly": "1" });
      const res = await postJson(bed.gw, `/room/${room}`, { text: "let me in" });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "ROOM_REFUSED", condition: "registration-required", room });
      // Nothing reached the room: the next groupchat bob sees there is the one he sends now.
      await bed.bob.send(xml("message", { to: room, type: "groupchat", id: "barrier" }, xml("body", {}, "barrier")));
      const next = await bed.bob.nextStanza(
        (s) => s.name === "message" && s.attrs.type === "groupchat" && (s.attrs.from ?? "").startsWith(`${room}/`),
      );
      expect(next.attrs.from).toBe(`${room}/Bob`);
    });

    test("a password room with the route's password for it takes the message", async () => {
      const room = "vault@muc.localhost";
      await joinRoom(bed.bob, room, "Bob");
      await configureRoom(bed.bob, room, { "muc#roomconfig_passwordprotectedroom": "1", "muc#roomconfig_roomsecret": "sesame" });
      expect((await postJson(bed.gw, `/room/${room}`, { text: "in the vault" })).status).toBe(201);
      await bed.bob.nextStanza(groupchatFrom(`${room}/Alerts`, "in the vault"));
    });

    test("the nick taken by someone else: the gateway retries once with a suffix (§7.2.9), and the message arrives", async () => {
      const room = "taken@muc.localhost";
      await joinRoom(bed.bob, room, "Alerts");
      expect((await postJson(bed.gw, `/room/${room}`, { text: "as another nick" })).status).toBe(201);
      const got = await bed.bob.nextStanza((s) => s.name === "message" && s.getChildText("body") === "as another nick");
      expect(got.attrs.from).toMatch(new RegExp(`^${room}/Alerts-[a-z0-9]+$`));
    });

    test("a room that bans the gateway: 403 ROOM_REFUSED forbidden", async () => {
      const room = `banned@${MUC2}`;
      await joinRoom(bed.bob, room, "Bob");
      await setAffiliation(bed.bob, room, bed.gw.config.xmpp.component, "outcast");
      const res = await postJson(bed.gw, `/room/${room}`, { text: "let me in" });
      expect([res.status, await res.json()]).toMatchObject([403, { code: "ROOM_REFUSED", condition: "forbidden" }]);
    });

    test("no such room: 404 ROOM_REFUSED (the join that would create it is left at once)", async () => {
      const room = `nowhere@${MUC2}`;
      const res = await postJson(bed.gw, `/room/${room}`, { text: "anyone?" });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: "ROOM_REFUSED", room });
    });

    // ejabberd 23.01 lets others into a room its creator has not configured: there it is a 201.
    if (server.name === "prosody")
      test("a room that exists but is locked (created, never configured, XEP-0045 §10.1.2): 404 ROOM_REFUSED, does not exist or is locked", async () => {
        const room = `locked@${MUC2}`;
        await joinRoom(bed.bob, room, "Bob", { instant: false });
        const res = await postJson(bed.gw, `/room/${room}`, { text: "anyone?" });
        expect(res.status).toBe(404);
        const body = (await res.json()) as Record<string, unknown>;
        expect(body).toMatchObject({ code: "ROOM_REFUSED", condition: "item-not-found", room });
        expect(body.error).toBe(`The room ${room} refused: the room does not exist or is locked (§7.2.1, §10.1.2)`);
      });

    test("a reload that changes nothing keeps the seat: bob sees no unavailable presence and no new join from the gateway", async () => {
      const room = "steady@muc.localhost";
      const occupant = `${room}/Alerts`;
      await joinRoom(bed.bob, room, "Bob");
      expect((await postJson(bed.gw, `/room/${room}`, { text: "before the reload" })).status).toBe(201);
      await bed.bob.nextStanza(groupchatFrom(occupant, "before the reload"));
      const from = bed.bob.received.length;
      const stopped = () => bed.gw.logs.filter((l) => l.msg === "the replaced configuration stopped").length;
      const before = stopped();
      await bed.gw.gateway.reload(bed.gw.config);
      // Barrier: once the old configuration has stopped, whatever it would send (a leave) was sent.
      await waitFor(() => stopped() > before, 15_000, "the replaced configuration to stop", logTail(bed.gw.logs));
      expect((await postJson(bed.gw, `/room/${room}`, { text: "after the reload" })).status).toBe(201);
      await bed.bob.nextStanza(groupchatFrom(occupant, "after the reload"));
      const presences = bed.bob.received.slice(from).filter((s) => s.name === "presence" && s.attrs.from === occupant);
      expect(presences.map((p) => p.toString())).toEqual([]);
    });

    test("a reload that changes the route's nick leaves the room (that seat is no longer used); the next post enters as the new nick", async () => {
      const room = "renamed@muc.localhost";
      await joinRoom(bed.bob, room, "Bob");
      expect((await postJson(bed.gw, `/room/${room}`, { text: "as Alerts" })).status).toBe(201);
      await bed.bob.nextStanza(groupchatFrom(`${room}/Alerts`, "as Alerts"));
      await bed.gw.gateway.reload(loadTestConfig(configHead(bed.server) + ROUTES.replace("nick: Alerts", "nick: Sirens")));
      try {
        await bed.bob.nextStanza((s) => s.name === "presence" && s.attrs.type === "unavailable" && s.attrs.from === `${room}/Alerts`);
        expect((await postJson(bed.gw, `/room/${room}`, { text: "as Sirens" })).status).toBe(201);
        await bed.bob.nextStanza(groupchatFrom(`${room}/Sirens`, "as Sirens"));
      } finally {
        await bed.gw.gateway.reload(bed.gw.config);
      }
    });

    test("muc_kick and a route share one seat: the kick comes from the route's occupant, which stays", async () => {
      const room = "shared@muc.localhost";
      await joinRoom(bed.bob, room, "Bob");
      await joinRoom(bed.alice, room, "Alice");
      expect((await postJson(bed.gw, `/room/${room}`, { text: "hello" })).status).toBe(201);
      await bed.bob.nextStanza(groupchatFrom(`${room}/Alerts`, "hello"));
      expect((await postJson(bed.gw, "/muc_kick", { nickname: "Alice", muc: room })).status).toBe(200);
      // muc_kick's own seat would be named Stanzagate: the kick came from the route's, Alerts.
      const kicked = await bed.bob.nextStanza(leftWithStatus(`${room}/Alice`, "307"));
      expect(mucItem(kicked)?.getChild("actor")?.attrs.nick).toBe("Alerts");
      expect((await postJson(bed.gw, `/room/${room}`, { text: "still here" })).status).toBe(201);
      await bed.bob.nextStanza(groupchatFrom(`${room}/Alerts`, "still here"));
    });

    // Last: the server restarts, so bob's connection goes with it.
    test("after the server restarts, the gateway is back in the room and the next message arrives", async () => {
      const room = "persist@muc.localhost";
      await joinRoom(bed.bob, room, "Bob");
      await configureRoom(bed.bob, room, { "muc#roomconfig_persistentroom": "1" });
      expect((await postJson(bed.gw, `/room/${room}`, { text: "before" })).status).toBe(201);
      await bed.bob.nextStanza(groupchatFrom(`${room}/Alerts`, "before"));
      const onlines = () => bed.gw.logs.filter((l) => l.msg === "component online").length;
      const before = onlines();
      await bed.server.restart();
      await waitFor(() => onlines() > before, 20_000, "the link to return", logTail(bed.gw.logs));
      const bob2 = await connectClient(bed.server, "bob");
      try {
        await joinRoom(bob2, room, "Bob");
        expect((await postJson(bed.gw, `/room/${room}`, { text: "after" })).status).toBe(201);
        await bob2.nextStanza(groupchatFrom(`${room}/Alerts`, "after"));
      } finally {
        await bob2.stop();
      }
    }, 60_000);
  });
