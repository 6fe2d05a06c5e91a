// A declarative route from routes.yaml, end to end: HTTP in, a real client receives the stanza.
import { describe, expect, test } from "bun:test";
import { testServers } from "../../../helpers/servers.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../../helpers/bed.ts";

const TOKEN = "test-token-0123456789abcdef";

const ROUTES = `
auth:
  ops:
    kind: bearer
    tokens:
      - { name: monitoring, token: "${TOKEN}", allow: ["*@localhost"] }
routes:
  - path: /alert/:who
    auth: ops
    body:
      text: string
      level: { type: string, required: false, enum: [info, critical], default: info }
    send: |
      <message to="{{ params.who }}@localhost" type="chat">
        <body>{{ text_prefix }}{{ body.text }}</body>
      </message>
  - path: /send
    auth: ops
    body: { to: jid, text: string }
    send: <message to="{{ body.to }}"><body>{{ body.text }}</body></message>
  - path: /notify/:user
    body: { text: string }
    send: <message to="{{ params.user }}@localhost" type="chat"><body>{{ body.text }}</body></message>
`.replace("{{ text_prefix }}", "[{{ body.level }}] ");

// Every case runs on each server of the test bed. The body is not re-indented inside the loop, on
// purpose: cases added by other branches merge without conflicts.
for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });

    const alert = (who: string, body: unknown, token = TOKEN) =>
      bed.gw.post(`/alert/${who}`, {
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    describe("a declarative route", () => {
      test("delivers the rendered stanza to bob and answers 201 sent", async () => {
        const res = await alert("bob", { text: "disk full", level: "critical" });
        expect(res.status).toBe(201);
        expect(await res.json()).toMatchObject({ status: "sent" });
        const msg = await bed.bob.nextStanza(isMessageWithBody);
        expect(msg.attrs.from).toBe(bed.server.componentDomain);
        expect(msg.attrs.type).toBe("chat");
        expect(msg.getChildText("body")).toBe("[critical] disk full");
      });

      test("carries markup-like input as text: no element or attribute can be injected", async () => {
        const evil = `<b>&amp; "quoted" 'single' ]]> </body><body>second</body><x a='1'/>`;
        expect((await alert("bob", { text: evil })).status).toBe(201);
        const msg = await bed.bob.nextStanza(isMessageWithBody);
        expect(msg.getChildren("body")).toHaveLength(1);
        expect(msg.getChildElements().map((c) => c.name)).toEqual(["body"]);
        expect(msg.getChildText("body")).toBe(`[info] ${evil}`);
      });

      test("refuses an address that is not a JID with 400 and says which field", async () => {
        const res = await alert("bob%20smith", { text: "hi" });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ code: "INVALID_JID", field: "to" });
      });

      test("refuses a body without the required field, listing the problem", async () => {
        const res = await alert("bob", { level: "info" });
        expect(res.status).toBe(400);
        const body = (await res.json()) as { code: string; problems: Array<{ field: string }> };
        expect(body.code).toBe("INVALID_BODY");
        expect(body.problems.map((p) => p.field)).toContain("text");
      });

      test("refuses text XML cannot carry (a NUL byte) instead of breaking the stream", async () => {
        const res = await alert("bob", { text: "nul\u0000here" });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ code: "INVALID_XML_TEXT", field: "body.text" });
      });

      test("refuses a wrong token with 401 and a missing one with 401 and a challenge", async () => {
        expect((await alert("bob", { text: "x" }, "wrong-token-wrong-token")).status).toBe(401);
        const res = await bed.gw.post("/alert/bob", { headers: { "content-type": "application/json" }, body: "{}" });
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toContain("Bearer");
      });

      test("refuses a recipient outside the token's allow list with 403", async () => {
        const res = await bed.gw.post("/send", {
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ to: "someone@elsewhere.example", text: "x" }),
        });
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ code: "FORBIDDEN", to: "someone@elsewhere.example" });
      });

      test("refuses a path fragment that would redirect the address, and sends nothing", async () => {
        const notify = (user: string, text: string) =>
          bed.gw.post(`/notify/${user}`, { headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
        // Once rendered into `{{ params.user }}@localhost` these would address evil.com, or bob by a resource.
        for (const user of ["bob@evil.com%2Fres", "bob@localhost%2Fres"]) {
          const res = await notify(user, `injected ${user}`);
          expect(res.status).toBe(400);
          expect(await res.json()).toMatchObject({ code: "INVALID_JID", field: "to", placeholder: "params.user", part: "localpart" });
        }
        // The barrier: a legitimate message sent afterwards is the first thing bob receives.
        expect((await notify("bob", "after the refusals")).status).toBe(201);
        expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("after the refusals");
      });

      test("reports the link as online on /health", async () => {
        const res = await fetch(`${bed.gw.url}/health`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ status: "ok", xmpp: { state: "online" }, outbox: { queued: 0 } });
      });
    });

    describe("CORS, as Prosody's mod_http adds it", () => {
      test("every handled response carries the Access-Control headers, echoing the Origin", async () => {
        const res = await alert("bob", { text: "cors" });
        expect(res.headers.get("access-control-allow-origin")).toBe("*");
        expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, OPTIONS");
        expect(res.headers.get("access-control-allow-headers")).toBe("Content-Type");
        expect(res.headers.get("access-control-max-age")).toBe("7200");
        const withOrigin = await fetch(`${bed.gw.url}/send`, { method: "POST", headers: { origin: "https://app.example" } });
        expect(withOrigin.headers.get("access-control-allow-origin")).toBe("https://app.example");
      });

      test("OPTIONS on a routed path answers 200 with an empty body", async () => {
        const res = await fetch(`${bed.gw.url}/alert/bob`, { method: "OPTIONS" });
        expect(res.status).toBe(200);
        expect(await res.text()).toBe("");
        expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, OPTIONS");
      });

      test("a method the path does not take is 405 with Allow (RFC 9110 §15.5.6; Prosody answered 404), with a JSON body", async () => {
        const res = await fetch(`${bed.gw.url}/alert/bob`);
        expect(res.status).toBe(405);
        expect(res.headers.get("allow")).toBe("POST, OPTIONS");
        expect(await res.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
      });
    });
  }); // each server
