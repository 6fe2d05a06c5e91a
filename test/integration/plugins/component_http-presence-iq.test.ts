// component_http and presence/iq against each real server (Prosody, ejabberd): the module's always-on contact when the
// webhook does not take presence, presence and iq forwarded when it does, and service-unavailable
// for an iq nobody takes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { testServers } from "../../helpers/servers.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { allOf, isPresenceFrom, messageWithBody, type StanzaPredicate } from "../../../testbed/xmpp-client.ts";
import { errorOf, forStanza, json, shape, startWebhook, type TestWebhook } from "./component_http-webhook.ts";

const NS_VERSION = "jabber:iq:version";
for (const server of testServers())
  describe(server.name, () => {
    /**
     * Whom bob's server shows as the addressee of presence the component sends to his bare JID:
     * Prosody keeps the bare JID; ejabberd 23.01 delivers a copy to each resource addressed to it.
     */
    const deliveredTo = () => (server.name === "ejabberd" ? bed.bob.jid : bed.bob.bare);
    const ejabberdNote = server.name === "ejabberd" ? " (ejabberd: addressed to bob's full JID)" : "";
    let echo: TestWebhook;
    let full: TestWebhook;
    const jid = (local: string) => `${local}@${bed.server.componentDomain}`;

    // The webhooks (the bots' brains), started before the gateway that calls them and stopped after it.
    beforeAll(() => void ([echo, full] = [startWebhook(), startWebhook()]));
    const bed = useTestBed(server, {
      gateway: () => ({
        routes: `
routes:
  - plugin: component_http
    options: { post_url: "${echo.url}", local_parts: [echo] }
  - plugin: component_http
    options: { post_url: "${full.url}", local_parts: [full], stanzas: [message, presence, iq] }
`,
      }),
      clients: ["bob"],
      clientOptions: { bob: { resource: "laptop" } },
    });
    afterAll(async () => {
      await echo?.stop();
      await full?.stop();
    });

    const errorWithId =
      (id: string): StanzaPredicate =>
      (s) =>
        s.attrs.type === "error" && s.attrs.id === id;
    const presenceOfType = (from: string, type: string | undefined): StanzaPredicate =>
      allOf(isPresenceFrom(from), (s) => s.attrs.type === type);

    describe("presence, when the webhook does not take it: the module's always-on contact", () => {
      test("a probe is answered with available presence from <jid>/default", async () => {
        await bed.bob.send(xml("presence", { to: jid("echo"), type: "probe" }));
        const reply = await bed.bob.nextStanza(presenceOfType(`${jid("echo")}/default`, undefined));
        expect(shape(reply)).toEqual({ name: "presence", attrs: { to: bed.bob.jid, from: `${jid("echo")}/default` }, children: [] });
      });

      test(`a subscription request is accepted: subscribed from the bare <jid> (RFC 6121 §3.1.5), then available presence from <jid>/default${ejabberdNote}`, async () => {
        // A client fetches its roster first (RFC 6121 §2.2); only then does the server pass it subscription states.
        const rosterGet = () => bed.bob.iq(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })));
        await rosterGet();
        await bed.bob.send(xml("presence", { to: jid("echo"), type: "subscribe" }));
        // The approval comes from the bare JID (Prosody stamped it so; ejabberd passes on what the component sent), and bob's roster is updated.
        const subscribed = await bed.bob.nextStanza(presenceOfType(jid("echo"), "subscribed"));
        expect(subscribed.attrs.from).toBe(jid("echo"));
        const available = await bed.bob.nextStanza(presenceOfType(`${jid("echo")}/default`, undefined));
        expect(available.attrs.to).toBe(deliveredTo());
        const roster = await rosterGet();
        const item = roster
          .getChild("query")
          ?.getChildren("item")
          .find((i) => i.attrs.jid === jid("echo"));
        expect(item?.attrs.subscription).toBe("to");
      });

      test(`an unsubscribe is answered with unavailable presence from <jid>/default${ejabberdNote}`, async () => {
        await bed.bob.send(xml("presence", { to: jid("echo"), type: "unsubscribe" }));
        const reply = await bed.bob.nextStanza(presenceOfType(`${jid("echo")}/default`, "unavailable"));
        expect(reply.attrs.to).toBe(deliveredTo());
      });

      test("presence to a full JID gets Prosody's unhandled-stanza answer: cancel/service-unavailable", async () => {
        await bed.bob.send(xml("presence", { to: `${jid("echo")}/desk`, id: "d1" }));
        const reply = await bed.bob.nextStanza(errorWithId("d1"));
        expect(reply.name).toBe("presence");
        expect(reply.attrs.from).toBe(`${jid("echo")}/desk`);
        expect(errorOf(reply)).toEqual({ type: "cancel", condition: "service-unavailable", text: undefined });
      });

      test("none of this reached the webhook", async () => {
        echo.answer = () => json({ body: "barrier" });
        await bed.bob.send(xml("message", { to: jid("echo"), type: "chat", id: "b1" }, xml("body", {}, "barrier")));
        await bed.bob.nextStanza(messageWithBody("barrier"));
        expect(echo.received.map((r) => r.json.kind)).toEqual(["message"]);
      });
    });

    describe("presence and iq, when the route's stanzas include them", () => {
      test("presence is POSTed to the webhook instead of being answered by the built-in contact", async () => {
        full.answer = () => new Response(null, { status: 204 });
        await bed.bob.send(xml("presence", { to: jid("full"), type: "probe", id: "p1" }));
        const req = await full.next(forStanza("p1"));
        expect(req.json).toEqual({ to: jid("full"), from: bed.bob.jid, kind: "presence", stanza: expect.stringContaining('type="probe"') });
      });

      test("an iq is POSTed with its XML, and a {stanza} answer is the iq result bob gets", async () => {
        full.answer = (req) => {
          const id = /id="([^"]+)"/.exec(String(req.json.stanza))?.[1] ?? "";
          return json({ stanza: `<iq type="result" id="${id}"><query xmlns="${NS_VERSION}"><name>webhook bot</name></query></iq>` });
        };
        const result = await bed.bob.iq(xml("iq", { type: "get", to: jid("full"), id: "v1" }, xml("query", { xmlns: NS_VERSION })));
        expect(result.getChild("query", NS_VERSION)?.getChildText("name")).toBe("webhook bot");
        expect(result.attrs.from).toBe(jid("full"));
        const req = full.received.find(forStanza("v1"));
        expect(req?.json).toEqual({
          to: jid("full"),
          from: bed.bob.jid,
          kind: "iq",
          stanza: expect.stringContaining(`<query xmlns="${NS_VERSION}"/>`),
        });
      });

      test("an answer {kind: iq} becomes a result with the request's id", async () => {
        full.answer = () => json({ kind: "iq" });
        const result = await bed.bob.iq(xml("iq", { type: "set", to: jid("full"), id: "s1" }, xml("query", { xmlns: "urn:example:cmd" })));
        expect(shape(result)).toEqual({
          name: "iq",
          attrs: { to: bed.bob.jid, from: jid("full"), id: "s1", type: "result" },
          children: [],
        });
      });

      test("a failed call answers the iq with the module's error", async () => {
        full.answer = () => new Response(null, { status: 404 });
        const reply = await bed.bob.sendReceive(
          xml("iq", { type: "get", to: jid("full"), id: "f1" }, xml("query", { xmlns: NS_VERSION })),
          errorWithId("f1"),
        );
        expect(errorOf(reply)).toEqual({ type: "cancel", condition: "item-not-found", text: undefined });
      });

      test("an iq whose answer cannot be sent is still answered (RFC 6120 §8.2.3): cancel/internal-server-error", async () => {
        full.answer = () => json({ stanza: "<iq type='result'><unclosed></iq>" });
        const reply = await bed.bob.sendReceive(
          xml("iq", { type: "get", to: jid("full"), id: "bad1" }, xml("query", { xmlns: NS_VERSION })),
          errorWithId("bad1"),
        );
        expect(reply.attrs.from).toBe(jid("full"));
        expect(errorOf(reply)).toEqual({ type: "cancel", condition: "internal-server-error", text: "Unusable answer from the webhook" });
      });

      test("an iq to a JID whose route does not take iq gets service-unavailable from the engine", async () => {
        const reply = await bed.bob.sendReceive(
          xml("iq", { type: "get", to: jid("echo"), id: "u1" }, xml("query", { xmlns: NS_VERSION })),
          errorWithId("u1"),
        );
        expect(reply.attrs.from).toBe(jid("echo"));
        expect(errorOf(reply)).toEqual({ type: "cancel", condition: "service-unavailable", text: undefined });
        expect(echo.received.some((r) => r.json.kind === "iq")).toBe(false);
      });
    });
  });
