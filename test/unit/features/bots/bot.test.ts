// A bot answering chat messages: commands, help, unknown:, allow:, the rate limit, failures.
import { describe, expect, spyOn, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { harness } from "./harness.ts";

const bodyOf = (el: Element | undefined) => el?.getChildText("body");
const chat = (body: string, from = "bob@localhost/phone") =>
  xml("message", { from, to: "house@gateway.localhost", type: "chat", id: "m1" }, xml("body", {}, body));

describe("a bot answers commands by chat", () => {
  test("a command without http: replies its text, keeping type and thread", async () => {
    const reply = await harness().say("ping", undefined, [xml("thread", {}, "t-42")]);
    expect(reply?.attrs).toMatchObject({ to: "bob@localhost/phone", from: "house@gateway.localhost", type: "chat" });
    expect(bodyOf(reply)).toBe("pong");
    expect(reply?.getChildText("thread")).toBe("t-42");
  });

  test("a command with http: renders the reply from the JSON answer", async () => {
    const h = harness();
    expect(bodyOf(await h.say("temp kitchen"))).toBe("kitchen: 21.5 °C");
    expect(h.calls).toEqual(["http://127.0.0.1:8081/sensors/kitchen?who=bob%40localhost"]);
  });

  test("what a sender writes is URL-encoded and cannot change the host", async () => {
    const h = harness(async () => new Response("found"));
    await h.say("where @evil.example/../x?y=1#z");
    expect(h.calls).toEqual(["http://127.0.0.1:8081/find/%40evil.example%2F..%2Fx%3Fy%3D1%23z"]);
  });

  test("an unknown command gets the unknown: reply listing the commands", async () => {
    expect(bodyOf(await harness().say("dance"))).toBe("I know: temp <room>, ping, where <q>, help");
  });

  test("help is generated from the commands", async () => {
    expect(bodyOf(await harness().say("help"))).toBe("Commands:\n- temp <room>\n- ping\n- where <q>\n- help");
  });

  test("a message from the gateway's own domain (another bot, the bot itself) is never a command: no answer, no refusal", async () => {
    const h = harness(undefined, ["*"]);
    h.handle(chat("ping", "beta@gateway.localhost/bot"));
    h.handle(chat("ping", "house@gateway.localhost"));
    h.handle(chat("ping", "gateway.localhost"));
    expect(await h.barrier(0)).toBe(0);
  });

  test("a command's help: is shown after its usage, which it does not replace (docs/bots.md)", async () => {
    const bots = `
bots:
  - jid: house@gateway.localhost
    allow: ["*@localhost"]
    commands:
      - match: '^temp (?<room>\\w+)$'
        help: the temperature in a room
        reply: "{{ match.room }}"
      - match: '^ping$'
        reply: pong
`;
    expect(bodyOf(await harness(undefined, undefined, bots).say("help"))).toBe(
      "Commands:\n- temp <room>: the temperature in a room\n- ping\n- help",
    );
  });

  test("a sender outside allow gets a forbidden error", async () => {
    const reply = await harness().say("ping", "eve@elsewhere.example/x");
    expect(reply?.attrs).toMatchObject({ type: "error", id: "m1", to: "eve@elsewhere.example/x" });
    expect(reply?.getChild("error")?.attrs.type).toBe("auth");
    expect(reply?.getChild("error")?.getChild("forbidden")).toBeDefined();
  });

  test("past the rate limit a sender gets one notice in the window, an error (policy-violation, wait) nobody answers; then nothing; others are still served", async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) expect(bodyOf(await h.say("ping"))).toBe("pong");
    const notice = await h.say("ping");
    expect(notice?.attrs).toMatchObject({ type: "error", id: "m1", to: "bob@localhost/phone" });
    expect(notice?.getChild("error")?.attrs.type).toBe("wait");
    expect(notice?.getChild("error")?.getChild("policy-violation")).toBeDefined();
    expect(notice?.getChild("error")?.getChildText("text")).toStartWith("Please slow down: I answer at most 3 commands every 60 s.");
    const since = h.sent.length;
    for (let i = 0; i < 5; i++) h.handle(chat("ping"));
    // A ping after them (an iq is always answered): once it is, the bot has read the five.
    expect(await h.barrier(since)).toBe(0);
    expect(bodyOf(await h.say("ping", "carol@localhost/x"))).toBe("pong");
  });

  test("past the rate limit no pattern runs on the body: a flood of hostile bodies costs no matching", async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) await h.say("ping");
    const hostile = `temp ${"a".repeat(40)}!`;
    const exec = spyOn(RegExp.prototype, "exec");
    try {
      for (let i = 0; i < 5; i++) h.handle(chat(hostile));
      await h.barrier(0);
      expect(exec.mock.calls.filter(([input]) => input === hostile)).toEqual([]);
    } finally {
      exec.mockRestore();
    }
  });

  test("a reply longer than 10 000 characters is cut, saying so, so the stanza stays sendable", async () => {
    const reply = await harness(async () => new Response("y".repeat(300_000))).say("where x");
    expect(bodyOf(reply)).toBe(`${"y".repeat(10_000)}… (cut at 10000 characters)`);
  });

  test("a body longer than max_input_chars is refused before any pattern runs", async () => {
    expect(bodyOf(await harness().say("a".repeat(51)))).toBe("Your message is too long for me (at most 50 characters).");
  });
});

describe("a failing HTTP call is a clear line, never silence", () => {
  test("non-2xx without error: gets the default line", async () => {
    const reply = await harness(async () => new Response("nope", { status: 503 })).say("temp attic");
    expect(bodyOf(reply)).toBe('Sorry, "temp <room>" failed: the service answered HTTP 503.');
  });

  test("a timeout names the time bound", async () => {
    const reply = await harness(
      (_u, init) => new Promise((_, reject) => init.signal?.addEventListener("abort", () => reject(new Error("aborted")))),
    ).say("temp attic");
    expect(bodyOf(reply)).toBe('Sorry, "temp <room>" failed: the service did not answer within 200 ms.');
  });

  test("an answer larger than max_answer_bytes is cut off with a clear line", async () => {
    const reply = await harness(async () => new Response("x".repeat(2_000_000))).say("temp attic");
    expect(bodyOf(reply)).toStartWith('Sorry, "temp <room>" failed: the service\'s answer is too large');
  });

  test("error: renders the sentence", async () => {
    const reply = await harness(async () => Promise.reject(new Error("connection refused"))).say("where x");
    expect(bodyOf(reply)).toBe("no luck: the service cannot be reached (connection refused)");
  });

  test("a reply printing an object says the reply could not be built", async () => {
    const reply = await harness(async () => Response.json({ celsius: { a: 1 } })).say("temp attic");
    expect(bodyOf(reply)).toStartWith('Sorry, "temp <room>" failed: the reply could not be built');
  });

  test("an HTML answer to a reply reading http.json.* fails the command with a clear line, not a blank value", async () => {
    const html = async () => new Response("<html><body>502 Bad Gateway</body></html>", { headers: { "content-type": "text/html" } });
    const reply = await harness(html).say("temp attic");
    expect(bodyOf(reply)).toBe(
      'Sorry, "temp <room>" failed: the reply could not be built (the service\'s answer is not JSON, and the reply reads http.json.celsius).',
    );
    expect(bodyOf(await harness(html).say("where x"))).toBe("<html><body>502 Bad Gateway</body></html>");
  });
});

describe("a bot is a contact", () => {
  test("subscribe is answered with subscribed and available presence", () => {
    const h = harness();
    h.handle(xml("presence", { from: "bob@localhost/phone", to: "house@gateway.localhost", type: "subscribe" }));
    expect(h.sent.map((s) => [s.attrs.from, s.attrs.type])).toEqual([
      ["house@gateway.localhost", "subscribed"],
      ["house@gateway.localhost/bot", undefined],
    ]);
  });

  test("disco#info names a client/bot identity with ping and ad-hoc commands", () => {
    const h = harness();
    h.handle(
      xml(
        "iq",
        { from: "bob@localhost/phone", to: "house@gateway.localhost", type: "get", id: "d1" },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      ),
    );
    const query = h.sent[0]?.getChild("query");
    expect(query?.getChild("identity")?.attrs).toEqual({ category: "client", type: "bot", name: "house" });
    expect(query?.getChildren("feature").map((f) => f.attrs.var)).toEqual([
      "http://jabber.org/protocol/disco#info",
      "urn:xmpp:ping",
      "http://jabber.org/protocol/commands",
    ]);
  });
});
