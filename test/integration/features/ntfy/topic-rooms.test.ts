// A room people write to a topic in (from_xmpp.<topic>.room), on each real server's MUC: the
// gateway takes a seat of its own there; what alice (allowed) says is published to the topic,
// what carol (outside allow:) says is left out, and the room's history is never published again.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { startGateway } from "../../../helpers/gateway.ts";
import { joinRoom } from "../../../../testbed/xmpp-client.ts";
import { isPresenceFrom } from "../../../../testbed/predicates.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

const STANZA_TIMEOUT_MS = 15_000;

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { clients: ["alice", "bob", "carol"] });
    const room = () => `family@${bed.server.mucDomain}`;
    /** What a subscriber polling the topic gets (poll=1: everything cached), as its messages. */
    const polled = async () => {
      const text = await (await fetch(`${bed.gw.url}/family/json?poll=1`)).text();
      return text.split("\n").flatMap((line) => (line ? [(JSON.parse(line) as { message: string }).message] : []));
    };
    const say = (who: "alice" | "carol", text: string) =>
      bed[who].send(xml("message", { to: room(), type: "groupchat" }, xml("body", {}, text)));

    test("alice's words in the topic's room are published; carol's and the history are not", async () => {
      // bob makes the room, where everyone sees real JIDs (XEP-0045 §10.2: whois anyone), with a line of history.
      await joinRoom(bed.bob, room(), "Bob", { config: { "muc#roomconfig_whois": "anyone" } });
      await bed.bob.send(xml("message", { to: room(), type: "groupchat" }, xml("body", {}, "old news")));
      bed.gw = await startGateway(bed.server, {
        routes: `
routes:
  - preset: ntfy
    topics: { family: [alice@localhost, bob@localhost] }
    from_xmpp: { family: { room: ${room()}, allow: [recipients] } }
    subscribe: {}
`,
      });
      await bed.bob.nextStanza(isPresenceFrom(`${room()}/Stanzagate topics`), STANZA_TIMEOUT_MS);
      await joinRoom(bed.alice, room(), "Alice");
      await joinRoom(bed.carol, room(), "Carol");
      await say("carol", "let me in");
      await say("alice", "dinner at 7");
      await waitFor(async () => (await polled()).length > 0, STANZA_TIMEOUT_MS, "alice's message in a poll of the topic");
      expect(await polled()).toEqual(["dinner at 7"]);
    });
  });
