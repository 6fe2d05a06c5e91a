// component_http's pure parts: the JSON posted, the reply built from an answer, the stanza parser,
// the signature, the concurrency bound and the module's presence replies.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { interpret } from "../../../plugins/component_http/forward.ts";
import { createLimiter } from "../../../src/kit/limiter.ts";
import { sign, signingKey, stanzaPayload } from "../../../plugins/component_http/webhook.ts";
import { defaultPresenceReplies, isForwardedBroadcast } from "../../../plugins/component_http/index.ts";
import { buildReply } from "../../../plugins/component_http/reply.ts";
import { parseStanza } from "../../../plugins/component_http/reply.ts";

const request = xml(
  "message",
  { xmlns: "jabber:component:accept", to: "bot@gw.example", from: "bob@example.org/phone", type: "chat", id: "m1" },
  xml("body", {}, "hi"),
);
const text = (el: { toString(): string } | undefined) => el?.toString();

describe("the JSON posted", () => {
  test("a message: to, from, kind, body and the stanza without the stream namespace", () => {
    expect(stanzaPayload(request)).toEqual({
      to: "bot@gw.example",
      from: "bob@example.org/phone",
      kind: "message",
      body: "hi",
      stanza: '<message to="bot@gw.example" from="bob@example.org/phone" type="chat" id="m1"><body>hi</body></message>',
    });
  });

  test("a <body/> in another namespace is not the body; presence and iq never have one", () => {
    const odd = xml("message", { to: "a@b", from: "c@d" }, xml("body", { xmlns: "urn:x" }, "no"));
    expect(stanzaPayload(odd).body).toBeUndefined();
    expect("body" in stanzaPayload(xml("presence", { to: "a@b", from: "c@d" }, xml("body", {}, "x")))).toBe(false);
  });
});

describe("the reply built from a 200 JSON answer", () => {
  test("{body}: a chat message to the sender from the addressed JID", () => {
    expect(text(ok(buildReply({ body: "yo" }, request, "swap")))).toBe(
      '<message to="bob@example.org/phone" from="bot@gw.example" type="chat"><body>yo</body></message>',
    );
  });

  test("{}: an empty chat message, as the module sends; a numeric body becomes text", () => {
    expect(text(ok(buildReply({}, request, "swap")))).toBe('<message to="bob@example.org/phone" from="bot@gw.example" type="chat"/>');
    expect(ok(buildReply({ body: 42 }, request, "swap"))?.getChildText("body")).toBe("42");
  });

  test("to, from and type from the answer win; presence has no default type and no body", () => {
    const built = ok(buildReply({ kind: "presence", to: "carol@example.org", from: "x@gw.example", body: "ignored" }, request, "swap"));
    expect(text(built)).toBe('<presence to="carol@example.org" from="x@gw.example"/>');
  });

  test("{stanza}: swap overwrites both addresses; keep keeps them and fills only the missing one", () => {
    const stanza = '<message to="carol@example.org"><body>s</body></message>';
    expect(ok(buildReply({ stanza }, request, "swap"))?.attrs).toMatchObject({ to: "bob@example.org/phone", from: "bot@gw.example" });
    expect(ok(buildReply({ stanza }, request, "keep"))?.attrs).toMatchObject({ to: "carol@example.org", from: "bot@gw.example" });
  });

  test("an iq answer gets the request's id and, for a get/set, type result (RFC 6120 §8.1)", () => {
    const iq = xml("iq", { to: "bot@gw.example", from: "bob@example.org/phone", type: "get", id: "q7" });
    expect(text(ok(buildReply({ kind: "iq" }, iq, "swap")))).toBe(
      '<iq to="bob@example.org/phone" from="bot@gw.example" type="result" id="q7"/>',
    );
    expect(ok(buildReply({ stanza: '<iq type="result"/>' }, iq, "swap"))?.attrs.id).toBe("q7");
  });

  test("is refused for a non-string field, an unknown kind or text XML cannot carry", () => {
    expect(buildReply({ to: 5 }, request, "swap")).toEqual({ ok: false, reason: '"to" must be a string' });
    expect(buildReply({ kind: "handshake" }, request, "swap").ok).toBe(false);
    expect(buildReply({ body: "nul\u0000" }, request, "swap").ok).toBe(false);
  });
});

describe("a webhook-supplied stanza string", () => {
  test("is one message, presence or iq; its stream namespace is dropped", () => {
    const parsed = parseStanza(`  <message xmlns="jabber:client" type="chat"><body>a &amp; b</body></message>\n`);
    expect(parsed.ok && parsed.stanza.toString()).toBe('<message type="chat"><body>a &amp; b</body></message>');
  });

  test.each([
    ["<message><body>open</message>", "not well-formed"],
    ["<message/><iq/>", "not exactly one"],
    ["<message/> trailing", "not exactly one"],
    ["<stream:error/>", "is not a message"],
    ['<message xmlns="urn:other"/>', "namespace"],
    ["<message><body>\u0001</body></message>", "characters XML cannot carry"],
    ["<message>&unknown;</message>", "not well-formed"],
  ])("refuses %p", (input, reason) => {
    const parsed = parseStanza(input);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.reason).toContain(reason);
  });
});

describe("the webhook's answer", () => {
  const answered = (status: number, contentType: string | null, body?: string) =>
    interpret({ kind: "answered", status, contentType, text: body }, request, "swap");

  test("200 JSON with a charset parameter is a reply; 200 of another type and other 2xx are silence", () => {
    expect(answered(200, "application/json; charset=utf-8", '{"body":"x"}').kind).toBe("send");
    expect(answered(200, "text/plain", '{"body":"x"}')).toEqual({ kind: "none" });
    expect(answered(201, "application/json", '{"body":"x"}')).toEqual({ kind: "none" });
  });

  test("a 200 JSON answer that is not an object, or too large to read, is internal-server-error", () => {
    for (const body of ["[1]", "null", '"s"', "", undefined]) {
      expect(answered(200, "application/json", body)).toMatchObject({
        kind: "error",
        error: { type: "cancel", condition: "internal-server-error" },
      });
    }
  });
});

describe("the Standard Webhooks signature", () => {
  test("matches the specification's published test vector", () => {
    const key = signingKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}')).toBe(
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  test("a secret without the whsec_ prefix is used as its UTF-8 bytes", () => {
    expect(signingKey("plain password").toString("utf8")).toBe("plain password");
  });
});

describe("the concurrency bound", () => {
  test("runs max_concurrent tasks, queues max_queued, refuses the next; a finished task frees a slot", async () => {
    const limiter = createLimiter(1, 1);
    let release = () => {};
    const first = limiter.run(() => new Promise<string>((resolve) => (release = () => resolve("first"))));
    const second = limiter.run(async () => "second");
    expect(limiter.run(async () => "third")).toBeUndefined();
    release();
    expect(await Promise.all([first, second])).toEqual(["first", "second"]);
    expect(await limiter.run(async () => "fourth")).toBe("fourth");
  });
});

describe("the module's presence replies", () => {
  const presence = (type?: string) => xml("presence", { to: "bot@gw.example", from: "bob@example.org", type });
  test("probe, subscribe and unsubscribe are answered from <jid>/default, the approval from the bare <jid> (RFC 6121 §3.1.5); the rest is ignored", () => {
    expect(defaultPresenceReplies(presence("probe")).map(String)).toEqual([
      '<presence to="bob@example.org" from="bot@gw.example/default"/>',
    ]);
    expect(defaultPresenceReplies(presence("subscribe")).map(String)).toEqual([
      '<presence to="bob@example.org" from="bot@gw.example" type="subscribed"/>',
      '<presence to="bob@example.org" from="bot@gw.example/default"/>',
    ]);
    expect(defaultPresenceReplies(presence("unsubscribe")).map(String)).toEqual([
      '<presence to="bob@example.org" from="bot@gw.example/default" type="unavailable"/>',
    ]);
    expect(defaultPresenceReplies(presence(undefined))).toEqual([]);
  });
});

function ok(built: ReturnType<typeof buildReply>) {
  return built.ok ? built.stanza : undefined;
}

describe("the users' presences a server forwards under XEP-0356 managed_entity", () => {
  const p = (to: string, type?: string) => xml("presence", { to, from: "alice@example.org/phone", type });
  test("are available or unavailable presence to the bare component domain (any case)", () => {
    expect([p("gw.example"), p("GW.example", "unavailable")].map((s) => isForwardedBroadcast(s, "gw.example"))).toEqual([true, true]);
  });

  test("are not other presence types, presence to a JID of the component, or other stanzas", () => {
    const others = [
      p("gw.example", "probe"),
      p("gw.example", "subscribe"),
      p("gw.example", "error"),
      p("bot@gw.example"),
      p("gw.example/x"),
      p("other.example"),
    ];
    expect(others.map((s) => isForwardedBroadcast(s, "gw.example"))).toEqual([false, false, false, false, false, false]);
    expect(isForwardedBroadcast(xml("message", { to: "gw.example" }), "gw.example")).toBe(false);
  });
});
