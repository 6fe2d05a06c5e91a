// post_msg against each real server (Prosody, ejabberd) granting the gateway XEP-0356 message permission: alice
// POSTs with her XMPP password, bob (a real client) receives a message from alice@localhost,
// exactly as from mod_post_msg inside the server.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { testServers } from "../../helpers/servers.ts";
import { allOf, connectClient, isMessageFrom, messageWithBody } from "../../../testbed/xmpp-client.ts";
import { logTail } from "../../helpers/gateway.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { useTestBed } from "../../helpers/bed.ts";

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, {
      // mod_offline keeps what arrives while bob is away (the outbox test restarts the server).
      server: { prosody: { extraModules: ["offline"] } },
      gateway: (xmpp) => ({
        waitForPrivileges: true,
        routes: `
auth_throttle: { max_failures: 100, window_s: 60 }
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${xmpp.c2sPort}" }
routes:
  - plugin: post_msg
    auth: users
`,
      }),
      clients: ["bob"],
    });

    const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
    const ALICE = basic("alice@localhost", "alice-pw");

    function send(path: string, type: string | undefined, body: string, authorization: string | null = ALICE) {
      const headers: Record<string, string> = {};
      if (type) headers["content-type"] = type;
      if (authorization) headers.authorization = authorization;
      return bed.gw.post(path, { headers, body });
    }

    const FORM = "application/x-www-form-urlencoded";
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

    /** The next message bob gets from alice with this body. */
    const bobGets = (text: string) => bed.bob.nextStanza(allOf(isMessageFrom("alice@localhost"), messageWithBody(text)));

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
        const bodiless = await bed.bob.nextStanza(
          allOf(isMessageFrom("alice@localhost"), (s) => s.attrs.type === "headline" && !s.getChild("body")),
        );
        expect(bodiless.getChild("html", "http://jabber.org/protocol/xhtml-im")).toBeDefined();
      });
    });

    describe("while the server is away", () => {
      test("a message is queued (202) and arrives from alice once the link is back", async () => {
        await send("/msg/bob", "text/plain", "warm the password cache");
        await bobGets("warm the password cache");
        await bed.bob.stop();
        await bed.server.stopProcess();
        await waitFor(() => bed.gw.gateway.link.status !== "online", 15_000, "the link to drop");
        // The SASL check cannot run with the server down; alice's recent successful login is cached.
        const res = await send("/msg/bob", "text/plain", "sent while down");
        expect(res.status).toBe(202);
        expect(await res.json()).toEqual({ status: "queued", to: "bob@localhost", from: "alice@localhost" });
        await bed.server.startProcess();
        await waitFor(() => bed.gw.gateway.delivery.queued === 0, 10_000, "the outbox to drain", logTail(bed.gw.logs));
        bed.bob = await connectClient(bed.server, "bob");
        expect((await bobGets("sent while down")).attrs.from).toBe("alice@localhost");
      }, 30_000);
    });
  });
