// A config-only bot against a real server and real clients: bob subscribes and sees it online,
// pings it, runs commands whose replies come from a local HTTP endpoint this test serves, gets the
// unknown: reply, a 10 MB and a hanging endpoint, runs the same command by XEP-0050, rings alice
// through send:; alice, outside allow:, gets <forbidden/>.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { testServers } from "../../../helpers/servers.ts";
import { allOf, isPresenceFrom, type TestClient } from "../../../../testbed/xmpp-client.ts";
import { sample } from "../../../helpers/offline-gateway.ts";
import { say as sayTo, startSensors } from "../../../helpers/bot-chat.ts";
import { useTestBed } from "../../../helpers/bed.ts";

const routes = (sensors: string) => `
bots:
  - jid: house@gateway.localhost
    allow: ["bob@localhost"]
    commands:
      - match: '^temp (?<room>\\w+)$'
        http: { method: GET, url: "${sensors}/sensors/{{ match.room }}", timeout_ms: 3000 }
        reply: "{{ match.room }}: {{ http.json.celsius }} °C"
        error: "{{ match.room }}: {{ http.json.error | default: error }}"
      - match: '^ping$'
        reply: pong
      - match: '^slow (?<room>\\w+)$'
        http: { url: "${sensors}/sensors/{{ match.room }}", timeout_ms: 300 }
        reply: "{{ http.text }}"
      - match: '^ring$'
        reply: '<message><body>rang</body></message>'
        send: [{ to: alice@localhost, text: "{{ sender }} rang the bell" }]
    unknown: "I know: {{ commands }}"
`;

for (const server of testServers())
  describe(server.name, () => {
    let sensors: ReturnType<typeof startSensors>;
    const stopSensors = new AbortController();
    let house: string;

    // The bots' HTTP endpoint, started before the gateway that calls it and stopped after it.
    beforeAll(() => void (sensors = startSensors(stopSensors.signal)));
    const bed = useTestBed(server, {
      gateway: (xmpp) => ({ routes: routes(`http://127.0.0.1:${sensors.port}`).replaceAll("gateway.localhost", xmpp.componentDomain) }),
      clients: ["bob", "alice"],
    });
    beforeAll(() => void (house = `house@${bed.server.componentDomain}`));
    afterAll(async () => {
      stopSensors.abort();
      await sensors?.stop(true);
    });

    const say = (client: TestClient, body: string) => sayTo(client, house, body);

    test("bob subscribes: the bot accepts and shows as available", async () => {
      await bed.bob.iq(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })));
      await bed.bob.send(xml("presence", { to: house, type: "subscribe" }));
      const subscribed = await bed.bob.nextStanza(allOf(isPresenceFrom(house), (s) => s.attrs.type === "subscribed"));
      expect(subscribed.attrs.from).toBe(house);
      const available = await bed.bob.nextStanza(allOf(isPresenceFrom(`${house}/bot`), (s) => s.attrs.type === undefined));
      expect(available.attrs.from).toBe(`${house}/bot`);
    });

    test("the bot answers disco#info as a client/bot and XEP-0199 pings", async () => {
      const info = await bed.bob.iq(
        xml("iq", { type: "get", to: house }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })),
      );
      expect(info.getChild("query")?.getChild("identity")?.attrs).toEqual({ category: "client", type: "bot", name: "house" });
      const pong = await bed.bob.iq(xml("iq", { type: "get", to: house }, xml("ping", { xmlns: "urn:xmpp:ping" })));
      expect(pong.attrs.type).toBe("result");
    });

    test('bob says "ping": the bot replies "pong" in the same thread, as chat', async () => {
      const { thread, reply } = await say(bed.bob, "ping");
      const msg = await reply();
      expect([msg.attrs.type, msg.getChildText("body"), msg.getChildText("thread")]).toEqual(["chat", "pong", thread]);
    });

    test('bob says "temp kitchen": the reply is built from the local HTTP endpoint', async () => {
      const { reply } = await say(bed.bob, "temp kitchen");
      expect((await reply()).getChildText("body")).toBe("kitchen: 21.5 °C");
    });

    test("a failing endpoint (404) gets the error: reply", async () => {
      const { reply } = await say(bed.bob, "temp attic");
      expect((await reply()).getChildText("body")).toBe("attic: no such room");
    });

    test("an unknown command gets the unknown: reply", async () => {
      const { reply } = await say(bed.bob, "dance");
      expect((await reply()).getChildText("body")).toBe("I know: temp <room>, ping, slow <room>, ring, help");
    });

    test("an endpoint answering 10 MB gets a clear line (the download stopped at 1 MB)", async () => {
      const { reply } = await say(bed.bob, "temp huge");
      expect((await reply()).getChildText("body")).toBe("huge: the service's answer is too large (more than 1048576 bytes)");
    });

    test("an endpoint that hangs gets the timeout line, and the bot answers meanwhile", async () => {
      const stuck = await say(bed.bob, "slow stuck");
      const { reply } = await say(bed.bob, "ping");
      expect((await reply()).getChildText("body")).toBe("pong");
      expect((await stuck.reply()).getChildText("body")).toBe('Sorry, "slow <room>" failed: the service did not answer within 300 ms.');
    });

    test('the same command by XEP-0050: bob lists the commands, fills the form of "temp", gets the reply as a note', async () => {
      const NS = "http://jabber.org/protocol/commands";
      const items = await bed.bob.iq(
        xml("iq", { type: "get", to: house }, xml("query", { xmlns: "http://jabber.org/protocol/disco#items", node: NS })),
      );
      expect(
        items
          .getChild("query")
          ?.getChildren("item")
          .map((i) => i.attrs.node),
      ).toEqual(["temp", "ping", "slow", "ring"]);
      const form = await bed.bob.iq(xml("iq", { type: "set", to: house }, xml("command", { xmlns: NS, node: "temp", action: "execute" })));
      const { sessionid, status } = form.getChild("command")?.attrs ?? {};
      expect(status).toBe("executing");
      const submit = xml("x", { xmlns: "jabber:x:data", type: "submit" }, xml("field", { var: "room" }, xml("value", {}, "kitchen")));
      const done = await bed.bob.iq(
        xml("iq", { type: "set", to: house }, xml("command", { xmlns: NS, node: "temp", action: "complete", sessionid }, submit)),
      );
      expect([done.getChild("command")?.attrs.status, done.getChild("command")?.getChildText("note")]).toEqual([
        "completed",
        "kitchen: 21.5 °C",
      ]);
    });

    test('bob says "ring": the <message> reply comes in his thread and send: tells alice', async () => {
      const { thread, reply } = await say(bed.bob, "ring");
      const msg = await reply();
      expect([msg.getChildText("body"), msg.getChildText("thread")]).toEqual(["rang", thread]);
      const told = await bed.alice.nextStanza((s) => s.name === "message" && s.attrs.from === house);
      expect([told.attrs.type, told.getChildText("body")]).toEqual(["chat", "bob@localhost rang the bell"]);
    });

    test("alice, not in allow:, is refused with auth/forbidden", async () => {
      const { thread, reply } = await say(bed.alice, "ping");
      const refusal = await reply();
      expect([refusal.attrs.type, refusal.attrs.id]).toEqual(["error", thread]);
      expect(refusal.getChild("error")?.attrs.type).toBe("auth");
      expect(refusal.getChild("error")?.getChild("forbidden")).toBeDefined();
    });

    test("/metrics counts what the bot did: commands by usage and outcome, HTTP calls by how they ended", async () => {
      const text = await (await fetch(`${bed.gw.url}/metrics`)).text();
      const bot = `bot="${house}"`;
      const commands = (command: string, outcome: string) =>
        sample(text, `stanzagate_bot_commands_total{${bot},command="${command}",outcome="${outcome}"}`);
      expect(commands("ping", "ok")).toBe(2);
      expect(commands("temp <room>", "ok")).toBe(2);
      expect(commands("temp <room>", "http_error")).toBe(2);
      expect(commands("slow <room>", "http_error")).toBe(1);
      expect(commands("ring", "ok")).toBe(1);
      expect(commands("(none)", "unknown")).toBe(1);
      expect(commands("(none)", "forbidden")).toBe(1);
      const calls = (outcome: string) => sample(text, `stanzagate_bot_http_calls_total{${bot},outcome="${outcome}"}`);
      expect([calls("ok"), calls("status"), calls("too_large"), calls("timeout")]).toEqual([2, 1, 1, 1]);
      expect(sample(text, `stanzagate_bot_http_call_duration_seconds_count{${bot}}`)).toBe(5);
      expect(text).not.toContain("alice");
    });
  });
