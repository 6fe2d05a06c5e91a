// component_http against each real server of the test bed: bob chats with bots on gateway.localhost whose brains are
// local webhooks. What the webhook receives, and each form of its answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { parse } from "ltx";
import { createHmac } from "node:crypto";
import { testServers } from "../../helpers/servers.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { isMessageFrom, isPresenceFrom, messageWithBody } from "../../../testbed/xmpp-client.ts";
import { forStanza, json, shape, startWebhook, type TestWebhook } from "./component_http-webhook.ts";

const SECRET = "whsec_" + Buffer.from("0123456789abcdef0123456789abcdef").toString("base64");
for (const server of testServers())
  describe(server.name, () => {
    let echo: TestWebhook;
    let other: TestWebhook;
    let signed: TestWebhook;
    let echoJid: string;

    // The webhooks (the bots' brains), started before the gateway that calls them and stopped after it.
    beforeAll(() => void ([echo, other, signed] = [startWebhook(), startWebhook(), startWebhook()]));
    const bed = useTestBed(server, {
      gateway: () => ({
        env: { HOOK_SECRET: SECRET },
        routes: `
routes:
  - plugin: component_http
    options: { post_url: "${echo.url}", local_parts: [echo], max_concurrent: 1 }
  - plugin: component_http
    options: { post_url: "${signed.url}", local_parts: [signed], signing_secret: "\${HOOK_SECRET}", content_type: application/json }
  - plugin: component_http
    options: { post_url: "${other.url}", stanza_addresses: keep }
`,
      }),
      clients: ["bob"],
      clientOptions: { bob: { resource: "phone" } },
    });
    beforeAll(() => void (echoJid = `echo@${bed.server.componentDomain}`));
    afterAll(async () => {
      for (const hook of [echo, other, signed]) await hook?.stop();
    });

    const chat = (to: string, body: string, id: string) => xml("message", { to, type: "chat", id }, xml("body", {}, body));

    describe("what the webhook receives", () => {
      test("bob's chat message is POSTed as the module's JSON: to, from, kind, body and the whole stanza", async () => {
        echo.answer = () => new Response(null, { status: 204 });
        await bed.bob.send(chat(echoJid, "hello & <welcome>", "m1"));
        const req = await echo.next(forStanza("m1"));
        expect(req.method).toBe("POST");
        expect(req.json).toEqual({
          to: echoJid,
          from: bed.bob.jid,
          kind: "message",
          body: "hello & <welcome>",
          stanza: expect.any(String),
        });
        // Prosody's own serialisation of the stanza: no stream namespace on the top element.
        const sent = parse(req.json.stanza as string);
        expect(sent.attrs.xmlns).toBeUndefined();
        expect(shape(sent)).toEqual({
          name: "message",
          attrs: { to: echoJid, from: bed.bob.jid, type: "chat", id: "m1" },
          children: ["<body>hello &amp; &lt;welcome&gt;</body>"],
        });
      });

      test("the POST carries Prosody's Content-Type (form-urlencoded, body JSON) and no signature by default", async () => {
        await bed.bob.send(chat(echoJid, "headers?", "m2"));
        const req = await echo.next(forStanza("m2"));
        expect(req.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
        expect(req.headers.get("webhook-signature")).toBeNull();
      });

      test("a message without a body has no body key", async () => {
        await bed.bob.send(
          xml("message", { to: echoJid, type: "chat", id: "m3" }, xml("active", { xmlns: "http://jabber.org/protocol/chatstates" })),
        );
        const req = await echo.next(forStanza("m3"));
        expect(Object.keys(req.json).sort()).toEqual(["from", "kind", "stanza", "to"]);
      });

      test("successive calls reuse one keep-alive connection", async () => {
        await bed.bob.send(chat(echoJid, "one", "k1"));
        const first = await echo.next(forStanza("k1"));
        await bed.bob.send(chat(echoJid, "two", "k2"));
        const second = await echo.next(forStanza("k2"));
        expect(second.clientPort).toBe(first.clientPort);
      });

      test("each route serves its own local parts: other JIDs go to the catch-all route's webhook", async () => {
        await bed.bob.send(chat(`weather@${bed.server.componentDomain}`, "rain?", "w1"));
        const req = await other.next(forStanza("w1"));
        expect(req.json).toMatchObject({ to: `weather@${bed.server.componentDomain}`, body: "rain?" });
        expect(echo.received.some((r) => r.json.body === "rain?")).toBe(false);
      });

      test("a signed route sends Standard Webhooks headers the webhook can verify with the shared secret", async () => {
        await bed.bob.send(chat(`signed@${bed.server.componentDomain}`, "trust me", "s1"));
        const req = await signed.next(forStanza("s1"));
        const id = req.headers.get("webhook-id") ?? "";
        const timestamp = req.headers.get("webhook-timestamp") ?? "";
        const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
        const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${req.text}`).digest("base64");
        expect(id).toStartWith("msg_");
        expect(timestamp).toMatch(/^\d{10}$/);
        expect(req.headers.get("webhook-signature")).toBe(`v1,${expected}`);
        expect(req.headers.get("content-type")).toBe("application/json");
      });
    });

    describe("the webhook's answer", () => {
      test("{body} becomes a chat message from the addressed JID to bob's full JID (the README's echo bot)", async () => {
        echo.answer = (req) => json({ body: `Did you say ${String(req.json.body)}?` });
        await bed.bob.send(chat(echoJid, "hi", "r1"));
        const reply = await bed.bob.nextStanza(messageWithBody("Did you say hi?"));
        expect(shape(reply)).toEqual({
          name: "message",
          attrs: { to: bed.bob.jid, from: echoJid, type: "chat" },
          children: ["<body>Did you say hi?</body>"],
        });
      });

      test(`{stanza} is sent with the request's addresses swapped in, whatever it says (the module's code)${server.name === "ejabberd" ? " (ejabberd: type normal omitted, as RFC 6121 §5.2.2 allows, and its own child order)" : ""}`, async () => {
        echo.answer = () =>
          json({ stanza: `<message to="carol@localhost" type="normal" id="x1"><subject>S</subject><body>full</body></message>` });
        await bed.bob.send(chat(echoJid, "stanza please", "r2"));
        const reply = await bed.bob.nextStanza(messageWithBody("full"));
        const attrs = { to: bed.bob.jid, from: echoJid, ...(server.name === "ejabberd" ? {} : { type: "normal" }), id: "x1" };
        const children =
          server.name === "ejabberd" ? ["<body>full</body>", "<subject>S</subject>"] : ["<subject>S</subject>", "<body>full</body>"];
        expect(shape(reply)).toEqual({ name: "message", attrs, children });
      });

      test("with stanza_addresses: keep, {stanza} keeps its own from and fills only what is missing", async () => {
        const from = `desk@${bed.server.componentDomain}/agent`;
        other.answer = () => json({ stanza: `<message from="${from}"><body>kept</body></message>` });
        await bed.bob.send(chat(`help@${bed.server.componentDomain}`, "keep?", "r3"));
        const reply = await bed.bob.nextStanza(messageWithBody("kept"));
        expect(shape(reply).attrs).toEqual({ to: bed.bob.jid, from });
      });

      test("{kind: presence} becomes a presence from the addressed JID", async () => {
        echo.answer = () => json({ kind: "presence" });
        await bed.bob.send(chat(echoJid, "presence please", "r4"));
        const reply = await bed.bob.nextStanza(isPresenceFrom(echoJid));
        expect(shape(reply)).toEqual({ name: "presence", attrs: { to: bed.bob.jid, from: echoJid }, children: [] });
      });

      test("204, a 2xx other than 200 and a 200 that is not JSON send nothing; the next reply is the first bob gets", async () => {
        const answers = [new Response(null, { status: 204 }), json({ body: "no" }, 202), new Response("text", { status: 200 })];
        echo.answer = () => answers.shift() ?? json({ body: "after silence" });
        const before = bed.bob.received.length;
        for (const id of ["n1", "n2", "n3", "n4"]) await bed.bob.send(chat(echoJid, id, id));
        await bed.bob.nextStanza(messageWithBody("after silence"));
        expect(bed.bob.received.slice(before).filter(isMessageFrom(echoJid))).toHaveLength(1);
      });
    });
  });
