// What /metrics says of a bot: each command counted once by its usage and outcome, refusals by
// why, HTTP calls by how they ended; labels come from routes.yaml, never from a sender or a body.
import { describe, expect, test } from "bun:test";
import { sample } from "../../../helpers/offline-gateway.ts";
import xml from "@xmpp/xml";
import { harness, sentCount } from "./harness.ts";

const BOT = 'bot="house@gateway.localhost"';
const commands = (command: string, outcome: string) => `stanzagate_bot_commands_total{${BOT},command="${command}",outcome="${outcome}"}`;

describe("a bot's metrics", () => {
  test("commands by usage and outcome: ok, http_error, unknown, help", async () => {
    const h = harness(async (url) => (url.includes("/find/") ? new Response("nope", { status: 500 }) : Response.json({ celsius: 20 })));
    await h.say("temp kitchen");
    await h.say("ping", "carol@localhost/a");
    await h.say("where keys", "dave@localhost/a");
    await h.say("dance", "erin@localhost/a");
    await h.say("help", "erin@localhost/a");
    const text = await h.scrape();
    expect(sample(text, commands("temp <room>", "ok"))).toBe(1);
    expect(sample(text, commands("ping", "ok"))).toBe(1);
    expect(sample(text, commands("where <q>", "http_error"))).toBe(1);
    expect(sample(text, commands("(none)", "unknown"))).toBe(1);
    expect(sample(text, commands("(none)", "help"))).toBe(1);
    expect(sample(text, `stanzagate_bot_http_calls_total{${BOT},outcome="ok"}`)).toBe(1);
    expect(sample(text, `stanzagate_bot_http_calls_total{${BOT},outcome="status"}`)).toBe(1);
    expect(sample(text, `stanzagate_bot_http_call_duration_seconds_count{${BOT}}`)).toBe(2);
    expect(text).not.toContain("kitchen");
    expect(text).not.toContain("dance");
  });

  test("refusals are counted by why: forbidden, too_long, rate_limited", async () => {
    const h = harness();
    await h.say("ping", "mallory@evil.example/x");
    await h.say("x".repeat(51));
    for (let i = 0; i < 4; i++) await h.say("ping", "frank@localhost/a");
    const text = await h.scrape();
    expect(sample(text, commands("(none)", "forbidden"))).toBe(1);
    expect(sample(text, commands("(none)", "too_long"))).toBe(1);
    expect(sample(text, commands("ping", "ok"))).toBe(3);
    // Refused before any pattern runs, so unread: "(none)".
    expect(sample(text, commands("(none)", "rate_limited"))).toBe(1);
    expect(text).not.toContain("mallory");
  });

  test("an ad-hoc command executed by a sender outside allow: is counted as forbidden too", async () => {
    const h = harness();
    h.handle(
      xml(
        "iq",
        { from: "mallory@evil.example/x", to: "house@gateway.localhost", type: "set", id: "c1" },
        xml("command", { xmlns: "http://jabber.org/protocol/commands", node: "temp", action: "execute" }),
      ),
    );
    const refusal = await sentCount(h.sent, 1);
    expect(refusal?.getChild("error")?.getChild("forbidden")).toBeDefined();
    const text = await h.scrape();
    expect(sample(text, commands("(none)", "forbidden"))).toBe(1);
    expect(text).not.toContain("mallory");
  });

  test("a timeout is counted as such", async () => {
    const h = harness((_, init) => new Promise((_, reject) => init.signal?.addEventListener("abort", () => reject(new Error("aborted")))));
    await h.say("temp attic");
    const text = await h.scrape();
    expect(sample(text, `stanzagate_bot_http_calls_total{${BOT},outcome="timeout"}`)).toBe(1);
    expect(sample(text, commands("temp <room>", "http_error"))).toBe(1);
  });
});
