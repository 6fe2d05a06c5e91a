// `send:` on a command and `reply:` as a whole <message> template: built with the stanza
// templates of routes (values are only ever text), sent through the bot's delivery.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { botHandler } from "../../../../src/features/bots/bot.ts";
import { createLogger } from "../../../../src/log.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";
import { sentCount } from "./harness.ts";

const BOT = `
bots:
  - jid: house@gateway.localhost
    allow: ["*@localhost"]
    commands:
      - match: '^open (?<door>\\w+)$'
        http: { url: "http://127.0.0.1:8081/doors/{{ match.door }}" }
        reply: '<message><body>{{ match.door }} is {{ http.json.state }}</body><active xmlns="http://jabber.org/protocol/chatstates"/></message>'
        send:
          - { to: alice@localhost, text: "{{ sender }} opened {{ match.door }}" }
          - '<message to="room@conference.localhost" type="groupchat"><body>{{ match.door }}: {{ http.json.state }}</body></message>'
`;

function bot(json: unknown) {
  const config = loadTestConfig(FAKE_HEAD + BOT);
  const sent: Element[] = [];
  const fetch = (async () => Response.json(json)) as unknown as typeof globalThis.fetch;
  const handle = botHandler(config.bots[0]!, {
    send: async (el) => void sent.push(el),
    fetch,
    log: createLogger({ level: "error", write: () => {} }),
  });
  handle(
    xml(
      "message",
      { from: "bob@localhost/phone", to: "house@gateway.localhost", type: "chat", id: "m1" },
      xml("body", {}, "open garage"),
      xml("thread", {}, "t1"),
    ),
  );
  return sent;
}

describe("send: and <message> replies", () => {
  test("a command notifies others and replies with its message template, addressed to the sender", async () => {
    const sent = bot({ state: "open" });
    await sentCount(sent, 3);
    const [alice, room, reply] = sent;
    expect(alice?.attrs).toMatchObject({ to: "alice@localhost", from: "house@gateway.localhost", type: "chat" });
    expect(alice?.getChildText("body")).toBe("bob@localhost opened garage");
    expect(room?.attrs).toMatchObject({ to: "room@conference.localhost", from: "house@gateway.localhost", type: "groupchat" });
    expect(room?.getChildText("body")).toBe("garage: open");
    expect(reply?.attrs).toMatchObject({ to: "bob@localhost/phone", from: "house@gateway.localhost", type: "chat" });
    expect(reply?.getChildText("body")).toBe("garage is open");
    expect(reply?.getChild("active")).toBeDefined();
    expect(reply?.getChildText("thread")).toBe("t1");
  });

  test("markup in an endpoint's answer stays text in the message", async () => {
    const sent = bot({ state: "<b>open</b>" });
    const reply = await sentCount(sent, 3);
    expect(reply?.getChildText("body")).toBe("garage is <b>open</b>");
    expect(reply?.getChild("b")).toBeUndefined();
  });

  test("a send: template reading an unknown name is refused at load with its place", () => {
    expect(() => loadTestConfig(FAKE_HEAD + BOT.replace("{{ sender }} opened", "{{ params.x }}"))).toThrow(/send\[0\]\.text|params/);
    expect(() => loadTestConfig(FAKE_HEAD + BOT.replace("to: alice@localhost", "to: 'not a jid@@'"))).toThrow(/expected a JID/);
  });
});
