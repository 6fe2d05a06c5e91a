// Issue 13's "bad input" for config-only bots, against a real server and real clients: a body far
// over max_input_chars, any Unicode, regex-hostile bodies, a flood from one sender, an endpoint
// answering HTML, ad-hoc forms with a missing or an extra field. Each gets a clear reply or an
// error stanza, the bot keeps serving others, and the gateway stays healthy.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import type { TestClient } from "../../../../testbed/xmpp-client.ts";
import { sample } from "../../../helpers/offline-gateway.ts";
import { HTML_PAGE, say, startSensors } from "../../../helpers/bot-chat.ts";
import { useTestBed } from "../../../helpers/bed.ts";

const NS_COMMANDS = "http://jabber.org/protocol/commands";
const FLOOD = 40;
const SLOW_DOWN = "Please slow down: I answer at most 10 commands every 60 s. Try again in a moment.";
/** A reply that may wait behind a match JavaScriptCore gives up on (about 0.7 s idle; more under load). */
const HOSTILE_REPLY_MS = 30_000;

const routes = (sensors: string) => `
bots:
  - jid: house@gateway.localhost
    allow: ["bob@localhost", "carol@localhost"]
    max_input_chars: 6000
    rate_limit: { commands: 1000, window_s: 10 }
    commands:
      - match: '^temp (?<room>\\w+)$'
        http: { url: "${sensors}/sensors/{{ match.room }}", timeout_ms: 3000 }
        reply: "{{ match.room }}: {{ http.json.celsius }} °C"
      - match: '^page (?<room>\\w+)$'
        http: { url: "${sensors}/sensors/{{ match.room }}", timeout_ms: 3000 }
        reply: "{{ http.text }}"
        error: "page {{ match.room }}: {{ error }}"
      - match: '^say (?<text>.+)$'
        reply: "you said: {{ match.text }}"
      - match: '^name (?<name>[\\p{L}\\p{M}]+)$'
        reply: "hello {{ match.name }}"
      - match: '^word (?<word>\\w+)$'
        reply: "word {{ match.word }}"
      - match: '^pair (?<a>\\w+)(?<b>\\w+)$'
        reply: pair
      - match: '^same (?<x>(?:a|a)*)$'
        reply: same
      - match: '^ping$'
        reply: pong
    unknown: "I know: {{ commands }}"
  - jid: flood@gateway.localhost
    allow: ["bob@localhost", "carol@localhost"]
    rate_limit: { commands: 10, window_s: 60 }
    commands:
      - match: '^ping$'
        reply: pong
`;

const KNOWN = "I know: temp <room>, page <room>, say <text>, name <name>, word <word>, pair <a><b>, same <x>, ping, help";

for (const server of testServers())
  describe(server.name, () => {
    let sensors: ReturnType<typeof startSensors>;
    const stopSensors = new AbortController();
    let house: string;
    let flood: string;

    // The bots' HTTP endpoint, started before the gateway that calls it and stopped after it.
    beforeAll(() => void (sensors = startSensors(stopSensors.signal)));
    const bed = useTestBed(server, {
      gateway: (xmpp) => ({ routes: routes(`http://127.0.0.1:${sensors.port}`).replaceAll("gateway.localhost", xmpp.componentDomain) }),
      clients: ["bob", "carol"],
    });
    beforeAll(() => {
      house = `house@${bed.server.componentDomain}`;
      flood = `flood@${bed.server.componentDomain}`;
    });
    afterAll(async () => {
      stopSensors.abort();
      await sensors?.stop(true);
    });

    const bodyOf = async (client: TestClient, bot: string, body: string, timeoutMs?: number) =>
      (await (await say(client, bot, body)).reply(timeoutMs)).getChildText("body");

    test("a body of 100 000 characters (under the server's stanza limit) gets the too-long line, then the bot answers the next command", async () => {
      expect(await bodyOf(bed.carol, flood, "x".repeat(100_000))).toBe("Your message is too long for me (at most 1000 characters).");
      expect(await bodyOf(bed.carol, flood, "ping")).toBe("pong");
    });

    test("any Unicode comes back as sent: emoji, RTL, combining marks, U+FFFD, astral characters", async () => {
      const text = "😀👩‍👩‍👧 مرحبا بالعالم שלום e\u0301 \uFFFD 𝄞𝟘 \u200F!";
      expect(await bodyOf(bed.bob, house, `say ${text}`)).toBe(`you said: ${text}`);
    });

    test("a named group of \\p{L}\\p{M} captures non-ASCII names; \\w stays ASCII even with the u flag", async () => {
      expect(await bodyOf(bed.bob, house, "name Zoë")).toBe("hello Zoë");
      expect(await bodyOf(bed.bob, house, "name Jose\u0301")).toBe("hello Jose\u0301");
      expect(await bodyOf(bed.bob, house, "name مرحبا")).toBe("hello مرحبا");
      expect(await bodyOf(bed.bob, house, "word cafe")).toBe("word cafe");
      expect(await bodyOf(bed.bob, house, "word café")).toBe(KNOWN);
    });

    test("regex-hostile bodies against patterns the load-time check accepts get their reply, and another sender is answered right after", async () => {
      const hostile = [
        `temp ${"a".repeat(5000)}!`,
        `pair ${"a".repeat(5000)}!`,
        `same ${"a".repeat(5000)}!`,
        `say ${" ".repeat(2000)}x${"\t".repeat(2000)}`,
      ];
      for (const body of hostile) {
        const sent = await say(bed.bob, house, body);
        const next = await say(bed.carol, house, "ping");
        const expected = body.startsWith("say") ? `you said: ${body.trim().slice("say ".length)}` : KNOWN;
        expect((await sent.reply(HOSTILE_REPLY_MS)).getChildText("body")).toBe(expected);
        expect((await next.reply(HOSTILE_REPLY_MS)).getChildText("body")).toBe("pong");
      }
    });

    test(`a flood of ${FLOOD} commands from bob: 10 answered, one slow-down notice (an error), then silence; carol is served meanwhile`, async () => {
      const sent = await Promise.all(Array.from({ length: FLOOD }, () => say(bed.bob, flood, "ping")));
      const threads = new Set(sent.map((s) => s.thread));
      const carolPing = await say(bed.carol, flood, "ping");
      expect((await carolPing.reply()).getChildText("body")).toBe("pong");
      const ours = (s: Element) =>
        s.name === "message" &&
        s.attrs.from?.startsWith(flood) === true &&
        (threads.has(s.getChildText("thread") ?? "") || threads.has(s.attrs.id ?? ""));
      await bed.bob.collect(ours, 11, 30_000);
      // An iq after the flood, on the same stream: once it is answered, the bot has read all 40.
      await bed.bob.iq(xml("iq", { type: "get", to: flood }, xml("ping", { xmlns: "urn:xmpp:ping" })));
      const replies = bed.bob.received.filter(ours);
      expect(replies.filter((r) => r.getChildText("body") === "pong")).toHaveLength(10);
      const notices = replies.filter((r) => r.attrs.type === "error");
      expect(notices.map((r) => [r.getChild("error")?.attrs.type, r.getChild("error")?.getChildText("text")])).toEqual([
        ["wait", SLOW_DOWN],
      ]);
      expect(replies).toHaveLength(11);
    });

    test("an endpoint answering HTML: a reply reading http.json.* gets a clear line; {{ http.text }} gets the page as text", async () => {
      expect(await bodyOf(bed.bob, house, "temp html")).toBe(
        'Sorry, "temp <room>" failed: the reply could not be built (the service\'s answer is not JSON, and the reply reads http.json.celsius).',
      );
      expect(await bodyOf(bed.bob, house, "page html")).toBe(HTML_PAGE);
      expect(await bodyOf(bed.bob, house, "page ctrl")).toStartWith("page ctrl: the reply could not be built");
    });

    test("an ad-hoc form with a missing field, and one with an extra field, get bad-request + bad-payload naming it", async () => {
      const complete = async (fields: Record<string, string>): Promise<Element> => {
        const form = await bed.bob.iq(
          xml("iq", { type: "set", to: house }, xml("command", { xmlns: NS_COMMANDS, node: "temp", action: "execute" })),
        );
        const sessionid = form.getChild("command")?.attrs.sessionid as string;
        const id = `c-${crypto.randomUUID()}`;
        const x = xml(
          "x",
          { xmlns: "jabber:x:data", type: "submit" },
          ...Object.entries(fields).map(([k, v]) => xml("field", { var: k }, xml("value", {}, v))),
        );
        await bed.bob.send(
          xml("iq", { type: "set", to: house, id }, xml("command", { xmlns: NS_COMMANDS, node: "temp", action: "complete", sessionid }, x)),
        );
        return bed.bob.nextStanza((s) => s.name === "iq" && s.attrs.id === id);
      };
      const errorOf = (iq: Element) => {
        const e = iq.getChild("error");
        return [
          iq.attrs.type,
          e?.attrs.type,
          ...(e
            ?.getChildElements()
            .filter((c) => c.name !== "text")
            .map((c) => `${c.name} ${c.attrs.xmlns}`) ?? []),
          e?.getChildText("text"),
        ];
      };
      const STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
      expect(errorOf(await complete({}))).toEqual([
        "error",
        "modify",
        `bad-request ${STANZAS}`,
        `bad-payload ${NS_COMMANDS}`,
        "missing field: room",
      ]);
      expect(errorOf(await complete({ room: "kitchen", floor: "2" }))).toEqual([
        "error",
        "modify",
        `bad-request ${STANZAS}`,
        `bad-payload ${NS_COMMANDS}`,
        "unknown field: floor (expected: room)",
      ]);
    });

    test("after all of it: /health is 200, the bot answers, both clients' streams are fine, /metrics counts the refusals", async () => {
      expect((await fetch(`${bed.gw.url}/health`)).status).toBe(200);
      expect(await bodyOf(bed.bob, house, "ping")).toBe("pong");
      for (const client of [bed.bob, bed.carol])
        expect((await client.iq(xml("iq", { type: "get", to: bed.server.host }, xml("ping", { xmlns: "urn:xmpp:ping" })))).attrs.type).toBe(
          "result",
        );
      const text = await (await fetch(`${bed.gw.url}/metrics`)).text();
      const commands = (command: string, outcome: string) =>
        sample(text, `stanzagate_bot_commands_total{bot="${flood}",command="${command}",outcome="${outcome}"}`);
      expect(commands("(none)", "rate_limited")).toBe(FLOOD - 10);
      expect(commands("(none)", "too_long")).toBe(1);
      expect(commands("ping", "ok")).toBe(12);
    });
  });
