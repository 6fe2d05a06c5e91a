// Groupchat accepted while the link is down (202) is delivered or kept as a dead letter with the
// room's reason, never lost: when the link returns, the outbox enters each room as it reaches its
// message, in order, and a room that will not have the gateway (no such room, members-only,
// xmpp.max_rooms reached) sends that message to the dead letters instead of into the void.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Element } from "ltx";
import { testServers } from "../helpers/servers.ts";
import { useTestBed } from "../helpers/bed.ts";
import { deadLetters } from "../helpers/dead-letters.ts";
import { connectClient, joinRoom } from "../../testbed/xmpp-client.ts";
import { logTail, startGateway } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { MUC2, configureRoom, postJson, routesYaml } from "./plugins/muc_kick-fixtures.ts";

const ROUTES = routesYaml(`
  - path: /room/:room
    auth: kick
    body: { text: string }
    nick: Alerts
    send: '<message to="{{ params.room }}" type="groupchat"><body>{{ body.text }}</body></message>'
`);
const room = (name: string) => `${name}@${MUC2}`;
const PERSISTENT = { "muc#roomconfig_persistentroom": "1" };
/** A server restart in the test: ejabberd alone may take up to 45 s to start on a busy machine. */
const SERVER_TEST_MS = 150_000;

const groupchatFrom = (occupant: string, text: string) => (s: Element) =>
  s.name === "message" && s.attrs.type === "groupchat" && s.attrs.from === occupant && s.getChildText("body") === text;

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { server: { extraMucServices: [{ domain: MUC2, admins: [] }] }, clients: ["bob"] });

    test(
      "with the link down: no such room, members-only and past max_rooms end in the dead letters with the room's reason; the rest arrive",
      async () => {
        const store = join(mkdtempSync(join(tmpdir(), "sg-rooms-ob-")), "s.db");
        bed.gw = await startGateway(bed.server, { routes: ROUTES, store, xmpp: ["max_rooms: 2"] });
        // Rooms that survive the server's restart: bob owns them all.
        for (const name of ["here", "club", "there", "full"]) {
          await joinRoom(bed.bob, room(name), "Bob");
          await configureRoom(bed.bob, room(name), name === "club" ? { ...PERSISTENT, "muc#roomconfig_membersonly": "1" } : PERSISTENT);
        }
        expect((await postJson(bed.gw, `/room/${room("here")}`, { text: "before" })).status).toBe(201);

        await bed.server.stopProcess();
        await waitFor(() => bed.gw.gateway.link.status !== "online", 15_000, "the link to drop", logTail(bed.gw.logs));
        // In this order: "here" is entered again (1 room), "nowhere" and "club" refuse, "there" is
        // the second room, so "full" is one past max_rooms: 2.
        for (const name of ["nowhere", "club", "there", "full", "here"]) {
          const res = await postJson(bed.gw, `/room/${room(name)}`, { text: `to ${name}` });
          expect([name, res.status]).toEqual([name, 202]);
        }
        await bed.server.startProcess();
        await waitFor(() => bed.gw.gateway.delivery.queued === 0, 30_000, "the outbox to drain", logTail(bed.gw.logs));

        expect(deadLetters(store)).toEqual([
          ["to nowhere", "ROOM_REFUSED item-not-found"],
          ["to club", "ROOM_REFUSED registration-required"],
          ["to full", "ROOMS_FULL"],
        ]);
        // The others reached their rooms: bob, back, finds them in the rooms' history (§7.2.15).
        const gone = bed.bob;
        const bob = (bed.bob = await connectClient(bed.server, "bob"));
        await gone.stop().catch(() => {}); // its stream went with the server
        for (const name of ["there", "here"]) {
          await joinRoom(bob, room(name), "Bob", { noHistory: false });
          await bob.nextStanza(groupchatFrom(`${room(name)}/Alerts`, `to ${name}`));
        }
      },
      SERVER_TEST_MS,
    );
  });
