// A bot in a room whose owner changes who sees real JIDs (issue 25, items 4 and 6), against each
// real server and real clients: in a semi-anonymous room alice is refused, and the refusal is
// counted and logged; the owner makes the room non-anonymous (XEP-0045 §10.2.1, status 172) and
// the bot takes alice's next command at once, without her sending presence again; semi-anonymous
// again (173), she is refused again; another change (104) makes the bot ask the room's disco#info.
import { beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { joinRoom } from "../../../../testbed/xmpp-client.ts";
import { logTail, startGateway } from "../../../helpers/gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { sample } from "../../../helpers/offline-gateway.ts";
import { MUC2, configureRoom } from "../../plugins/muc_kick-fixtures.ts";

// On a MUC service where the gateway is no service admin (not a moderator: no real JIDs).
const MASKS = `masks@${MUC2}`;

const routes = (component: string) => `
bots:
  - jid: gamma@${component}
    allow: ["alice@localhost"]
    rooms: [{ jid: ${MASKS} }]
    commands: [{ match: '^ping$', reply: pong }]
`;

const REFUSAL = "Alice: Sorry, I only take commands from people I know, and this room does not show me who you are.";
const READ_AGAIN = "the room's configuration changed: the bot read its occupants again";

for (const server of testServers())
  describe(server.name, () => {
    let gamma: string;
    const bed = useTestBed(server, { server: { extraMucServices: [{ domain: MUC2, admins: ["carol@localhost"] }] }, clients: ["alice"] });
    const fromGamma = (s: Element) => s.name === "message" && s.attrs.type === "groupchat" && s.attrs.from === `${MASKS}/gamma`;
    const ask = async (): Promise<string | null> => {
      await bed.alice.send(xml("message", { to: MASKS, type: "groupchat" }, xml("body", {}, "gamma: ping")));
      return (await bed.alice.nextStanza(fromGamma, 15_000)).getChildText("body");
    };
    const readAgain = () => bed.gw.logs.filter((l) => l.msg === READ_AGAIN && l.bot === gamma);

    beforeAll(async () => {
      gamma = `gamma@${bed.server.componentDomain}`;
      await joinRoom(bed.alice, MASKS, "Alice");
      await configureRoom(bed.alice, MASKS, { "muc#roomconfig_whois": "moderators" });
      bed.gw = await startGateway(bed.server, { routes: routes(bed.server.componentDomain) });
      await bed.alice.nextStanza((s) => s.name === "presence" && s.attrs.from === `${MASKS}/gamma`, 15_000);
    }, 60_000);

    test("semi-anonymous: alice is refused, and the refusal is counted (forbidden) and logged without her text", async () => {
      expect(await ask()).toBe(REFUSAL);
      const metrics = await (await fetch(`${bed.gw.url}/metrics`)).text();
      expect(sample(metrics, `stanzagate_bot_commands_total{bot="${gamma}",command="(none)",outcome="forbidden"}`)).toBe(1);
      const logged = bed.gw.logs.filter((l) => l.msg === "bot refused a room message");
      expect(logged.map((l) => [l.bot, l.room, l.nick, l.why])).toEqual([
        [gamma, MASKS, "Alice", "this room does not show me who you are"],
      ]);
      expect(JSON.stringify(logged)).not.toContain("ping");
    });

    test("the owner makes the room non-anonymous (172): alice's next command is taken at once", async () => {
      await configureRoom(bed.alice, MASKS, { "muc#roomconfig_whois": "anyone" });
      await waitFor(() => readAgain().length === 1, 15_000, "the bot to read the occupants again", logTail(bed.gw.logs));
      expect(readAgain()[0]?.anonymity).toBe("non-anonymous");
      expect(await ask()).toBe("Alice: pong");
    });

    test("semi-anonymous again (173): alice's real JID is no longer believed", async () => {
      await configureRoom(bed.alice, MASKS, { "muc#roomconfig_whois": "moderators" });
      await waitFor(() => readAgain().length === 2, 15_000, "the bot to read the occupants again", logTail(bed.gw.logs));
      expect(readAgain()[1]?.anonymity).toBe("semi-anonymous");
      expect(await ask()).toBe(REFUSAL);
    });

    test("another change (104, the room's name): the bot asks the room's disco#info, which says semi-anonymous", async () => {
      await configureRoom(bed.alice, MASKS, { "muc#roomconfig_roomname": "Masks" });
      await waitFor(() => readAgain().length === 3, 15_000, "the bot to read the occupants again", logTail(bed.gw.logs));
      expect(readAgain()[2]?.anonymity).toBe("semi-anonymous");
      expect(await ask()).toBe(REFUSAL);
    });
  });
