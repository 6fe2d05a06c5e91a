// post_msg against each real server (Prosody, ejabberd) granting the gateway XEP-0356 message permission: alice
// POSTs with her XMPP password, bob (a real client) receives a message from alice@localhost,
// exactly as from mod_post_msg inside the server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import type { Prosody } from "../../../testbed/prosody.ts";
import { testServers } from "../../helpers/servers.ts";
import { allOf, connectClient, isMessageFrom, messageWithBody, type TestClient } from "../../../testbed/xmpp-client.ts";
import { startGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";

for (const server of testServers()) describe(server.name, () => {
  let prosody: Prosody;
  let gw: TestGateway;
  let bob: TestClient;

  beforeAll(async () => {
    // mod_offline keeps what arrives while bob is away (the outbox test restarts the server).
    prosody = await server.start({ prosody: { extraModules: ["offline"] } });
    gw = await startGateway(prosody, {
      waitForPrivileges: true,
      routes: `
auth_throttle: { max_failures: 100, window_s: 60 }
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${prosody.c2sPort}" }
routes:
  - plugin: post_msg
    auth: users
`,
    });
    bob = await connectClient(prosody, "bob");
  }, 30_000);

  afterAll(async () => {
    await bob?.stop();
    await gw?.stop();
    await prosody?.stop();
  });

  const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
  const ALICE = basic("alice@localhost", "alice-pw");

  function send(path: string, type: string | undefined, body: string, authorization: string | null = ALICE) {
    const headers: Record<string, string> = {};
    if (type) headers["content-type"] = type;
    if (authorization) headers.authorization = authorization;
    return gw.post(path, { headers, body });
  }

  const FORM = "application/x-www-form-urlencoded";
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  /** The next message bob gets from alice with this body. */
  const bobGets = (text: string) => bob.nextStanza(allOf(isMessageFrom("alice@localhost"), messageWithBody(text)));

  /** The stanza as bob's client sees it: attributes and children, without the stream namespace. */
  function shape(message: Element): { attrs: Record<string, string | undefined>; xml: string } {
    const { xmlns: _ns, ...attrs } = message.attrs;
    return { attrs, xml: message.children.map(String).join("") };
  }

  describe("alice sends by HTTP, bob receives from alice@localhost", () => {
    test("text/plain: the body is the message, type chat, no id (XEP-0356 makes alice the sender)", async () => {
      const res = await send("/msg/bob@localhost", "text/plain", "Server@host has just crashed!");
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ status: "sent", to: "bob@localhost", from: "alice@localhost" });
      expect(shape(await bobGets("Server@host has just crashed!"))).toEqual({
        attrs: { from: "alice@localhost", to: "bob@localhost", type: "chat" },
        xml: "<body>Server@host has just crashed!</body>",
      });
    });

    test("a Content-Type with parameters is accepted, and UTF-8 arrives intact", async () => {
      expect((await send("/msg/bob@localhost", "text/plain; charset=utf-8", "héllo ✓ 😀")).status).toBe(201);
      await bobGets("héllo ✓ 😀");
    });

    test("/msg/bob reaches bob@localhost, the user's own host (the README's promise)", async () => {
      const res = await send("/msg/bob", "text/plain", "to the default host");
      expect(await res.json()).toMatchObject({ status: "sent", to: "bob@localhost" });
      await bobGets("to the default host");
    });

    test("a bare user name logs in on the served host", async () => {
      expect((await send("/msg/bob", "text/plain", "bare login", basic("alice", "alice-pw"))).status).toBe(201);
      await bobGets("bare login");
    });

    // ejabberd re-encodes what it routes: it drops type="normal" (the default, RFC 6121 §5.2.2) and puts <html/> first.
    test(`a form sets to, type and body, and html becomes an XHTML-IM payload${server.name === "ejabberd" ? " (ejabberd: type normal omitted, html first)" : ""}`, async () => {
      const html = "<p>Hi <b>there</b></p>";
      const res = await send("/msg", FORM, form({ to: "bob@localhost", type: "normal", body: "Hi there", html }));
      expect(res.status).toBe(201);
      const xhtml = `<html xmlns="http://jabber.org/protocol/xhtml-im"><body xmlns="http://www.w3.org/1999/xhtml">${html}</body></html>`;
      expect(shape(await bobGets("Hi there"))).toEqual(
        server.name === "ejabberd"
          ? { attrs: { from: "alice@localhost", to: "bob@localhost" }, xml: `${xhtml}<body>Hi there</body>` }
          : { attrs: { from: "alice@localhost", to: "bob@localhost", type: "normal" }, xml: `<body>Hi there</body>${xhtml}` },
      );
    });

    test("the form's to wins over the path, and a bare to gets the user's host", async () => {
      expect((await send("/msg/carol@localhost", FORM, form({ to: "bob", body: "to field wins" }))).status).toBe(201);
      await bobGets("to field wins");
    });

    test("JSON sets to, type and body", async () => {
      const res = await send("/msg/", "application/json", JSON.stringify({ to: "bob@localhost", type: "headline", body: "json news" }));
      expect(res.status).toBe(201);
      expect((await bobGets("json news")).attrs.type).toBe("headline");
    });

    test("an empty body is sent as an empty <body/>; a form without body sends no <body/>, as the original did", async () => {
      expect((await send("/msg/bob@localhost", "text/plain", "")).status).toBe(201);
      expect((await bobGets("")).getChild("body")?.getText()).toBe("");
      expect((await send("/msg/bob@localhost", FORM, form({ type: "headline", html: "<p>only html</p>" }))).status).toBe(201);
      const bodiless = await bob.nextStanza(allOf(isMessageFrom("alice@localhost"), (s) => s.attrs.type === "headline" && !s.getChild("body")));
      expect(bodiless.getChild("html", "http://jabber.org/protocol/xhtml-im")).toBeDefined();
    });
  });

  describe("errors, each with a JSON body saying what was wrong", () => {
    test("no credentials: 401 with the original's challenge, Basic realm=\"localhost/post_msg\"", async () => {
      const res = await send("/msg/bob", "text/plain", "x", null);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="localhost/post_msg"');
      expect(await res.json()).toEqual({ error: "Authentication required", code: "AUTH_REQUIRED" });
    });

    test("a wrong password or an unknown user: 401 AUTH_FAILED", async () => {
      for (const auth of [basic("alice@localhost", "wrong"), basic("nobody@localhost", "x")]) {
        const res = await send("/msg/bob", "text/plain", "x", auth);
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: "Authentication failed", code: "AUTH_FAILED" });
      }
    });

    test("credentials are checked before anything else (401 before 415), as in the original", async () => {
      expect((await send("/msg/bob", "application/xml", "<x/>", null)).status).toBe(401);
    });

    test("another Content-Type, or none: 415 listing the accepted ones", async () => {
      for (const type of ["application/xml", undefined]) {
        const res = await send("/msg/bob", type, "<x/>");
        expect(res.status).toBe(415);
        expect(await res.json()).toEqual({
          error: "Unsupported Content-Type",
          code: "UNSUPPORTED_MEDIA_TYPE",
          accepted: ["text/plain", "application/x-www-form-urlencoded", "application/json"],
        });
      }
    });

    test("malformed JSON: 400 INVALID_JSON", async () => {
      const res = await send("/msg/bob", "application/json", "{nope");
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "INVALID_JSON" });
    });

    test("html that does not parse: 400 INVALID_MARKUP, even before the recipient is looked at", async () => {
      const res = await send("/msg/", FORM, form({ body: "x", html: "<p>Hi <b>there</p>" }));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: "html is not well-formed XML: </p> does not match <b>",
        code: "INVALID_MARKUP",
        field: "html",
        offset: 14,
      });
    });

    test("a type RFC 6121 does not define: 400 naming the allowed types", async () => {
      const res = await send("/msg/bob", FORM, form({ type: "foo", body: "x" }));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: "type must be one of chat, normal, headline, groupchat",
        code: "INVALID_BODY",
        field: "type",
        found: "foo",
        allowed: ["chat", "normal", "headline", "groupchat"],
      });
    });

    test("curl -d 'text' without a Content-Type (a form with no field): 400 instead of an empty message", async () => {
      const res = await send("/msg/bob", FORM, "Server has crashed!");
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: "The form has no fields: send body=<text>, or the text with Content-Type: text/plain",
        code: "INVALID_BODY",
        field: "body",
        accepted_fields: ["to", "type", "body", "html"],
      });
    });

    test("no recipient, in the path or the fields: 422 MISSING_RECIPIENT", async () => {
      for (const path of ["/msg/", "/msg"]) {
        const res = await send(path, "text/plain", "to nobody");
        expect(res.status).toBe(422);
        expect(await res.json()).toEqual({ error: "No recipient: put it in the path (/msg/user) or in the to field", code: "MISSING_RECIPIENT" });
      }
      expect((await send("/msg", "application/json", '{"body":"x"}')).status).toBe(422);
    });

    test("a recipient that is not a JID: 422 INVALID_JID", async () => {
      const res = await send("/msg/", FORM, form({ to: "bo b@@localhost", body: "x" }));
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ error: "Not a valid recipient: bo b@@localhost", code: "INVALID_JID", field: "to", to: "bo b@@localhost" });
    });

    test("GET is not served: 405 with Allow (the original answered 404)", async () => {
      const res = await fetch(`${gw.url}/msg`, { headers: { authorization: ALICE } });
      expect(res.status).toBe(405);
      expect(await res.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED", allow: expect.arrayContaining(["POST"]) });
    });
  });

  describe("OPTIONS", () => {
    test("answers 200 with Allow: POST and the accepted formats, without credentials", async () => {
      for (const path of ["/msg", "/msg/bob@localhost"]) {
        const res = await fetch(gw.url + path, { method: "OPTIONS" });
        expect(res.status).toBe(200);
        expect(res.headers.get("allow")).toBe("POST");
        expect(res.headers.get("accept")).toBe("application/x-www-form-urlencoded, text/plain, application/json");
      }
    });
  });

  describe("while the server is away", () => {
    test("a message is queued (202) and arrives from alice once the link is back", async () => {
      await send("/msg/bob", "text/plain", "warm the password cache");
      await bobGets("warm the password cache");
      await bob.stop();
      await prosody.stopProcess();
      await waitFor(() => gw.gateway.link.status !== "online", 5_000, "the link to drop");
      // The SASL check cannot run with the server down; alice's recent successful login is cached.
      const res = await send("/msg/bob", "text/plain", "sent while down");
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ status: "queued", to: "bob@localhost", from: "alice@localhost" });
      await prosody.startProcess();
      await waitFor(() => gw.gateway.delivery.queued === 0, 10_000, "the outbox to drain", gw.logs);
      bob = await connectClient(prosody, "bob");
      expect((await bobGets("sent while down")).attrs.from).toBe("alice@localhost");
    }, 30_000);
  });
});
