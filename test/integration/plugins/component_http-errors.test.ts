// component_http when the webhook fails: bob gets the module's error for each HTTP status, for a
// refused connection, a timeout, a malformed answer and a full queue; errors are never answered
// and a reply that would break the component stream is refused and logged.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { testServers } from "../../helpers/servers.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { isMessageFrom, messageWithBody, type StanzaPredicate } from "../../../testbed/xmpp-client.ts";
import { freePort } from "../../../testbed/ports.ts";
import { errorOf, forStanza, gate, json, startWebhook, type TestWebhook } from "./component_http-webhook.ts";

for (const server of testServers())
  describe(server.name, () => {
    let hook: TestWebhook;
    let slow: TestWebhook;
    const slowGate = gate();
    const jid = (local: string) => `${local}@${bed.server.componentDomain}`;

    // The webhooks, started before the gateway that calls them and stopped after it.
    beforeAll(() => {
      [hook, slow] = [startWebhook(), startWebhook()];
      slow.answer = async () => (await slowGate.wait, json({ body: "late" }));
    });
    // Registered before the bed, so it runs before the bed stops: no held request delays the gateway's stop.
    afterAll(() => slowGate.open());
    const bed = useTestBed(server, {
      gateway: async () => {
        const closed = `http://127.0.0.1:${await freePort()}/hook`;
        return {
          routes: `
routes:
  - plugin: component_http
    options: { post_url: "${hook.url}", local_parts: [bot], max_concurrent: 1 }
  - plugin: component_http
    options: { post_url: "${closed}", local_parts: [gone] }
  - plugin: component_http
    options: { post_url: "${slow.url}", local_parts: [slow], timeout_ms: 200 }
  - plugin: component_http
    options: { post_url: "${slow.url}", local_parts: [narrow], max_concurrent: 1, max_queued: 1 }
  - plugin: component_http
    options: { post_url: "${hook.url}", local_parts: [ping, pong] }
`,
        };
      },
      clients: ["bob"],
    });
    afterAll(async () => {
      await hook?.stop();
      await slow?.stop();
    });

    const chat = (to: string, id: string, body = id) => xml("message", { to, type: "chat", id }, xml("body", {}, body));
    /** What bob gets when the webhook's answer cannot be sent. */
    const UNUSABLE = { type: "cancel", condition: "internal-server-error", text: "Unusable answer from the webhook" };
    const errorWithId =
      (id: string): StanzaPredicate =>
      (s) =>
        s.attrs.type === "error" && s.attrs.id === id;

    async function errorFor(to: string, id: string): Promise<ReturnType<typeof errorOf>> {
      await bed.bob.send(chat(to, id));
      const reply = await bed.bob.nextStanza(errorWithId(id));
      expect(reply.attrs.from).toBe(to);
      return errorOf(reply);
    }

    describe("an HTTP failure becomes the module's error reply", () => {
      const table: Array<[number, string, string, string | undefined]> = [
        [400, "modify", "bad-request", undefined],
        [401, "auth", "not-authorized", undefined],
        [402, "auth", "forbidden", "Payment required"],
        [403, "auth", "forbidden", undefined],
        [404, "cancel", "item-not-found", undefined],
        [410, "cancel", "gone", undefined],
        [500, "cancel", "internal-server-error", undefined],
        [501, "cancel", "feature-not-implemented", undefined],
        [502, "cancel", "remote-server-timeout", "Bad gateway"],
        [503, "wait", "remote-server-timeout", "Service temporarily unavailable"],
        [504, "wait", "remote-server-timeout", "Gateway timeout"],
        [418, "cancel", "service-unavailable", undefined],
        [302, "cancel", "service-unavailable", undefined],
      ];
      for (const [status, type, condition, text] of table) {
        test(`HTTP ${status} -> ${type}/${condition}${text ? ` "${text}"` : ""}`, async () => {
          hook.answer = () => new Response("nope", { status, headers: status === 302 ? { location: "http://127.0.0.1:1/" } : {} });
          expect(await errorFor(jid("bot"), `status-${status}`)).toEqual({ type, condition, text });
        });
      }

      test('a refused connection -> cancel/remote-server-timeout "Connection failure"', async () => {
        expect(await errorFor(jid("gone"), "refused")).toEqual({
          type: "cancel",
          condition: "remote-server-timeout",
          text: "Connection failure",
        });
      });

      test("a webhook slower than timeout_ms -> wait/remote-server-timeout", async () => {
        expect(await errorFor(jid("slow"), "timeout")).toEqual({
          type: "wait",
          condition: "remote-server-timeout",
          text: "Webhook timed out",
        });
      });

      test("a 200 JSON answer that does not parse -> cancel/internal-server-error and a log line", async () => {
        hook.answer = () => new Response("{not json", { status: 200, headers: { "content-type": "application/json" } });
        expect(await errorFor(jid("bot"), "malformed")).toEqual({
          type: "cancel",
          condition: "internal-server-error",
          text: "The webhook answered malformed JSON",
        });
        expect(bed.gw.logs.some((l) => l.msg === "webhook call failed" && l.condition === "internal-server-error")).toBe(true);
      });
    });

    describe("bounds", () => {
      test("past max_concurrent + max_queued, a stanza is answered wait/resource-constraint; the others complete", async () => {
        await bed.bob.send(chat(jid("narrow"), "q1"));
        await slow.next(forStanza("q1")); // q1 is in flight, the only slot taken
        await bed.bob.send(chat(jid("narrow"), "q2")); // waits in the queue (max_queued: 1)
        expect(await errorFor(jid("narrow"), "q3")).toEqual({
          type: "wait",
          condition: "resource-constraint",
          text: "Too many webhook calls pending",
        });
        slowGate.open();
        const replies = await bed.bob.collect(messageWithBody("late"), 2);
        expect(replies.map((r) => r.attrs.from)).toEqual([jid("narrow"), jid("narrow")]);
      });
    });

    describe("what is never sent", () => {
      /** Sends `first`, then a message whose reply is "barrier": whatever `first` caused arrived before it. */
      async function fromBotUntilBarrier(first: ReturnType<typeof xml>): Promise<number> {
        const before = bed.bob.received.length;
        await bed.bob.send(first);
        await hook.next(forStanza(first.attrs.id ?? ""));
        hook.answer = () => json({ body: "barrier" });
        await bed.bob.send(chat(jid("bot"), "barrier"));
        await bed.bob.nextStanza(messageWithBody("barrier"));
        return bed.bob.received.slice(before).filter(isMessageFrom(jid("bot"))).length - 1;
      }

      test("an error stanza is forwarded but never answered, even when the webhook fails", async () => {
        hook.answer = () => new Response(null, { status: 500 });
        const error = xml(
          "message",
          { to: jid("bot"), type: "error", id: "e1" },
          xml("error", { type: "cancel" }, xml("gone", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
        );
        expect(await fromBotUntilBarrier(error)).toBe(0);
        expect(hook.received.some((r) => r.json.kind === "message" && String(r.json.stanza).includes('id="e1"'))).toBe(true);
      });

      test("a reply from outside the component's domain is never sent: bob gets cancel/internal-server-error, the reason is logged", async () => {
        hook.answer = () => json({ from: "alice@localhost", body: "spoofed" });
        expect(await errorFor(jid("bot"), "spoof")).toEqual(UNUSABLE);
        expect(bed.gw.logs.find((l) => l.msg === "webhook reply refused")).toMatchObject({ level: "error", reply_from: "alice@localhost" });
      });

      // The server routes every address of the component back to the gateway: sent, such a reply
      // would be POSTed again, answered the same way, and so on (7,600 calls in 5 s before the fix).
      // Spelled with a final dot (RFC 7622 §3.2) or in fullwidth letters, the address is still the
      // component's: the server prepares it and routes it back (Prosody did, 9,765 calls in 10 s).
      const fullwidth = (text: string) => text.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
      const loops: Array<[string, string, () => string]> = [
        ["itself", "ping", () => jid("ping")],
        ["another of its addresses", "pong", () => jid("pong")],
        ["its bare domain", "", () => bed.server.componentDomain],
        ["itself with a final dot", "dot", () => `${jid("ping")}.`],
        ["itself in fullwidth letters", "wide", () => `ping@${fullwidth(bed.server.componentDomain)}`],
      ];
      for (const [what, to, address] of loops) {
        test(`a reply addressed to ${what} is never sent: one webhook call, bob gets cancel/internal-server-error, counted as a loop`, async () => {
          const target = address();
          hook.answer = (req) =>
            req.json.to === jid("bot") ? json({ body: "barrier" }) : json({ from: jid("ping"), to: target, body: "again" });
          const calls = hook.received.length;
          expect(await errorFor(jid("ping"), `loop-${to}`)).toEqual(UNUSABLE);
          // Barrier: bob's next message is POSTed after anything the refused reply could have caused.
          await bed.bob.send(chat(jid("bot"), `after-loop-${to}`));
          await bed.bob.nextStanza(messageWithBody("barrier"));
          expect(hook.received.slice(calls).map((r) => r.json.to)).toEqual([jid("ping"), jid("bot")]);
          expect(bed.gw.logs.findLast((l) => l.msg === "webhook reply refused")).toMatchObject({
            reply_to: target,
            why: expect.stringContaining("a loop"),
          });
        });
      }

      test("/metrics counts the refused replies by reason", async () => {
        const text = await (await fetch(`${bed.gw.url}/metrics`)).text();
        expect(text).toContain('stanzagate_component_http_replies_refused_total{reason="loop"} 5');
        expect(text).toContain('stanzagate_component_http_replies_refused_total{reason="outside_domain"} 1');
      });

      test("a stanza that does not parse, or is not message/presence/iq, is never sent: bob gets cancel/internal-server-error", async () => {
        for (const [i, stanza] of ["<message><body>unclosed</message>", "<stream:features/>", "<message/><message/>"].entries()) {
          hook.answer = () => json({ stanza });
          expect(await errorFor(jid("bot"), `bad-stanza-${i}`)).toEqual(UNUSABLE);
        }
        expect(bed.gw.logs.filter((l) => l.msg === "webhook answer refused")).toHaveLength(3);
      });

      test("an unusable answer to a groupchat message is dropped with nothing sent back", async () => {
        hook.answer = () => json({ type: 42 });
        const groupchat = xml("message", { to: jid("bot"), type: "groupchat", id: "gc1" }, xml("body", {}, "hi"));
        expect(await fromBotUntilBarrier(groupchat)).toBe(0);
      });
    });
  });
