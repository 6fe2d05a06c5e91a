// A ntfy publish to a room while the link is down is queued (ntfy's 200: Apprise counts anything
// else as a failure) and never lost: when the link returns, the outbox enters the room as it
// reaches the message (as for routes' groupchat, rooms-outbox.test.ts), and a room that will not
// have the gateway sends that message to the dead letters with the room's reason.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureRoom, connectClient, joinRoom } from "../../../../testbed/xmpp-client.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { deadLetters } from "../../../helpers/dead-letters.ts";
import { logTail, startGateway } from "../../../helpers/gateway.ts";
import { testServers } from "../../../helpers/servers.ts";

const ROUTES = `
routes:
  - preset: ntfy
    path: /ntfy
    topics:
      ops: { room: kept@muc.localhost, nick: Alerts }
      lost: { room: nowhere@muc.localhost }
`;
/** A server restart in the test: ejabberd alone may take up to 45 s to start on a busy machine. */
const SERVER_TEST_MS = 150_000;

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { clients: ["bob"] });

    test(
      "published while the link is down: 200, then in the room once it is back; a room that does not exist keeps it as a dead letter",
      async () => {
        const store = join(mkdtempSync(join(tmpdir(), "sg-format-rooms-")), "s.db");
        bed.gw = await startGateway(bed.server, { routes: ROUTES, store });
        await joinRoom(bed.bob, "kept@muc.localhost", "Bob");
        await configureRoom(bed.bob, "kept@muc.localhost", { "muc#roomconfig_persistentroom": "1" });

        await bed.server.stopProcess();
        await waitFor(() => bed.gw.gateway.link.status !== "online", 15_000, "the link to drop", logTail(bed.gw.logs));
        expect((await bed.gw.post("/ntfy/ops", { body: "queued for the room" })).status).toBe(200);
        expect((await bed.gw.post("/ntfy/lost", { body: "no room for it" })).status).toBe(200);
        await bed.server.startProcess();
        await waitFor(() => bed.gw.gateway.delivery.queued === 0, 30_000, "the outbox to drain", logTail(bed.gw.logs));

        expect(deadLetters(store)).toEqual([["no room for it", "ROOM_REFUSED item-not-found"]]);
        // bob, back, finds the queued one in the room's history (§7.2.15), from the entry's nick.
        const gone = bed.bob;
        const bob = (bed.bob = await connectClient(bed.server, "bob"));
        await gone.stop().catch(() => {}); // its stream went with the server
        await joinRoom(bob, "kept@muc.localhost", "Bob", { noHistory: false });
        await bob.nextStanza(
          (s) => s.name === "message" && s.attrs.from === "kept@muc.localhost/Alerts" && s.getChildText("body") === "queued for the room",
        );
      },
      SERVER_TEST_MS,
    );
  });
