// Bots that could answer bots (issue 25, items 15 and 16), against each real server and real
// clients: alpha tells beta (and itself) something through send:, and nobody answers; a relay
// echoing every message back to alpha is stopped by the rate limit after one notice; in a room, a
// person taking beta's nick cannot make alpha and beta talk to each other. Every count is read
// after a barrier (a stanza the bot must answer, sent after the rest), never after a sleep.
import { beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { joinRoom, type TestClient } from "../../../../testbed/xmpp-client.ts";
import { logTail, startGateway } from "../../../helpers/gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { sample } from "../../../helpers/offline-gateway.ts";
import { say } from "../../../helpers/bot-chat.ts";
import { MUC2 } from "../../plugins/muc_kick-fixtures.ts";

// On a MUC service where the gateway is no service admin (not a moderator: no real JIDs).
const LOOPS = `loops@${MUC2}`;
const WINDOW = "300";

const routes = (component: string) => `
bots:
  - jid: alpha@${component}
    allow: ["*"]
    rate_limit: { commands: 3, window_s: ${WINDOW} }
    rooms: [{ jid: ${LOOPS} }]
    commands:
      - match: '^tell (?<who>\\S+) (?<what>.+)$'
        reply: told
        send: ['<message to="{{ match.who }}" type="chat"><body>{{ match.what }}</body></message>']
    unknown: "alpha knows: {{ commands }}"
  - jid: beta@${component}
    allow: ["*"]
    rate_limit: { commands: 3, window_s: ${WINDOW} }
    rooms: [{ jid: ${LOOPS} }]
    commands: [{ match: '^ping$', reply: pong }]
    unknown: "beta knows: {{ commands }}"
`;

const ping = (to: string) => xml("iq", { type: "get", to }, xml("ping", { xmlns: "urn:xmpp:ping" }));
const isMessageFrom = (jid: string) => (s: Element) => s.name === "message" && (s.attrs.from ?? "").split("/")[0] === jid;
const groupchatFrom = (occupant: string) => (s: Element) =>
  s.name === "message" && s.attrs.type === "groupchat" && s.attrs.from === occupant;

for (const server of testServers())
  describe(server.name, () => {
    let alpha: string;
    let beta: string;
    const bed = useTestBed(server, {
      server: { extraMucServices: [{ domain: MUC2, admins: ["carol@localhost"] }] },
      clients: ["alice", "bob", "carol"],
    });
    const logsOf = (msg: string, bot: string) => bed.gw.logs.filter((l) => l.msg === msg && l.bot === bot);
    const metric = async (series: string) => sample(await (await fetch(`${bed.gw.url}/metrics`)).text(), series) ?? 0;
    /** Every message the gateway sent the server: what bounds a loop through it. */
    const messagesSent = () => metric('stanzagate_stanzas_total{direction="sent",kind="message"}');
    const commands = (bot: string) => metric(`stanzagate_bot_commands_total{bot="${bot}",command="tell <who> <what>",outcome="ok"}`);

    beforeAll(async () => {
      alpha = `alpha@${bed.server.componentDomain}`;
      beta = `beta@${bed.server.componentDomain}`;
      // A semi-anonymous room (both servers' default): the bots see nicks, not real JIDs.
      await joinRoom(bed.alice, LOOPS, "Alice");
      bed.gw = await startGateway(bed.server, { routes: routes(bed.server.componentDomain) });
      await bed.alice.nextStanza(groupchatPresence(`${LOOPS}/alpha`), 15_000);
      await bed.alice.nextStanza(groupchatPresence(`${LOOPS}/beta`), 15_000);
    }, 60_000);

    test("bob has alpha tell beta hello: beta reads it as the gateway's own message and answers nothing", async () => {
      const before = await messagesSent();
      const told = await say(bed.bob, alpha, `tell ${beta} hello`);
      expect((await told.reply()).getChildText("body")).toBe("told");
      await waitFor(
        () => logsOf("bot message from the gateway itself ignored", beta).length === 1,
        15_000,
        "beta to ignore alpha's message",
        logTail(bed.gw.logs),
      );
      for (const bot of [alpha, beta]) await bed.bob.iq(ping(bot));
      expect(logsOf("bot message from the gateway itself ignored", beta).map((l) => (l.from as string).split("/")[0])).toEqual([alpha]);
      expect([
        await commands(alpha),
        await metric(`stanzagate_bot_commands_total{bot="${beta}",command="(none)",outcome="unknown"}`),
      ]).toEqual([1, 0]);
      // "told" to bob and "hello" to beta: nothing else.
      expect((await messagesSent()) - before).toBe(2);
    });

    test("bob has alpha tell itself hello: alpha does not answer itself", async () => {
      const before = await messagesSent();
      const told = await say(bed.bob, alpha, `tell ${alpha} hello`);
      expect((await told.reply()).getChildText("body")).toBe("told");
      await waitFor(
        () => logsOf("bot message from the gateway itself ignored", alpha).length === 1,
        15_000,
        "alpha to ignore its own message",
        logTail(bed.gw.logs),
      );
      await bed.bob.iq(ping(alpha));
      expect(await commands(alpha)).toBe(2);
      expect(await metric(`stanzagate_bot_commands_total{bot="${alpha}",command="(none)",outcome="unknown"}`)).toBe(0);
      expect((await messagesSent()) - before).toBe(2);
    });

    test("carol relays every message of alpha back to it: 3 answers, one notice, then alpha is quiet (4 messages in all)", async () => {
      const echo = relay(bed.carol, alpha);
      try {
        await bed.carol.send(xml("message", { to: alpha, type: "chat" }, xml("body", {}, "hello")));
        const notice = await bed.carol.nextStanza((s) => isMessageFrom(alpha)(s) && s.attrs.type === "error", 15_000);
        expect(notice.getChild("error")?.getChild("policy-violation")).toBeDefined();
        // The relay echoed the notice too (as a chat message, before these pings on the same stream):
        // once both are answered, alpha has read it, and the loop has no message left to answer.
        await waitFor(() => echo.echoed === 4, 15_000, "the relay to echo the notice");
        await bed.carol.iq(ping(alpha));
        await bed.carol.iq(ping(alpha));
        expect(bed.carol.received.filter(isMessageFrom(alpha))).toHaveLength(4);
        expect(await metric(`stanzagate_bot_commands_total{bot="${alpha}",command="(none)",outcome="rate_limited"}`)).toBe(2);
      } finally {
        echo.stop();
      }
    });

    test('in the room, bob takes the nick "Beta" and floods both bots: each answers 3 times, tells him once, and they never answer each other', async () => {
      await joinRoom(bed.bob, LOOPS, "Beta");
      for (let i = 0; i < 6; i++) await groupchat(bed.bob, LOOPS, "alpha: hello");
      for (let i = 0; i < 6; i++) await groupchat(bed.bob, LOOPS, "beta: hello");
      // A private message through the room to each bot, too long to read: answered past any limit,
      // after every groupchat line that bot said (one stream from the bot, one room, in order).
      for (const bot of ["alpha", "beta"]) {
        await bed.bob.send(xml("message", { to: `${LOOPS}/${bot}`, type: "chat" }, xml("body", {}, "x".repeat(1001))));
        await bed.bob.nextStanza((s) => s.name === "message" && s.attrs.type === "chat" && s.attrs.from === `${LOOPS}/${bot}`, 15_000);
      }
      const lines = (bot: string) => bed.bob.received.filter(groupchatFrom(`${LOOPS}/${bot}`)).map((s) => s.getChildText("body"));
      const slow = `Beta: Please slow down: I answer at most 3 commands every ${WINDOW} s. Try again in a moment.`;
      // The notice may come before the answers still running (any order).
      expect(lines("alpha").toSorted()).toEqual([...Array(3).fill("Beta: alpha knows: tell <who> <what>, help"), slow].toSorted());
      expect(lines("beta").toSorted()).toEqual([...Array(3).fill("Beta: beta knows: ping, help"), slow].toSorted());
    }, 60_000);
  });

function groupchatPresence(occupant: string) {
  return (s: Element) => s.name === "presence" && s.attrs.from === occupant && s.attrs.type === undefined;
}

function groupchat(client: TestClient, room: string, body: string): Promise<void> {
  return client.send(xml("message", { to: room, type: "groupchat" }, xml("body", {}, body)));
}

/**
 * A plain client that echoes every message it gets from `bot` back to it, as chat: its body, or
 * an error's text. It never stops by itself: only the bot going quiet ends the loop.
 */
function relay(client: TestClient, bot: string) {
  const state = { echoed: 0, stop: () => {} };
  const onStanza = (s: Element) => {
    if (!(s.name === "message" && (s.attrs.from ?? "").split("/")[0] === bot)) return;
    const text = s.getChildText("body") ?? s.getChild("error")?.getChildText("text") ?? "";
    state.echoed++;
    void client.send(xml("message", { to: bot, type: "chat" }, xml("body", {}, text)));
  };
  client.xmpp.on("stanza", onStanza);
  state.stop = () => void client.xmpp.removeListener("stanza", onStanza);
  return state;
}
