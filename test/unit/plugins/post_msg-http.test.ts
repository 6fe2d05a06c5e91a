// post_msg's HTTP answers that need no XMPP server: driven with Request objects through a gateway
// whose link is a FakeEntity. The same route as the integration tier's, with a basic scheme
// standing in for the server's SASL login (test/integration/plugins/post_msg-auth.test.ts covers that).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../helpers/fake-gateway.ts";

let gw: FakeGateway;

beforeAll(async () => {
  const hash = await Bun.password.hash("alice-pw", { algorithm: "argon2id" });
  gw = await fakeGateway(`
auth_throttle: { max_failures: 100, window_s: 60 }
auth:
  users: { kind: basic, users: { "alice@localhost": "${hash}" } }
routes:
  - plugin: post_msg
    auth: users
`);
});

afterAll(async () => {
  await gw?.stop();
});

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
const ALICE = basic("alice@localhost", "alice-pw");

function send(path: string, type: string | undefined, body: string, authorization: string | null = ALICE) {
  const headers: Record<string, string> = {};
  if (type) headers["content-type"] = type;
  if (authorization) headers.authorization = authorization;
  return gw.request(path, { method: "POST", headers, body });
}

const FORM = "application/x-www-form-urlencoded";
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe("a message accepted", () => {
  test("201 names recipient and sender, and the stanza went to the server (without the permission: from the component)", async () => {
    const before = gw.stanzas().length;
    const res = await send("/msg/bob", "text/plain", "hi");
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ status: "sent", to: "bob@localhost", from: "gateway.localhost" });
    expect(gw.stanzas().slice(before).map(String)).toEqual([
      '<message type="chat" to="bob@localhost" from="gateway.localhost"><body>hi</body></message>',
    ]);
  });
});

describe("errors, each with a JSON body saying what was wrong", () => {
  test('no credentials: 401 with the original\'s challenge, Basic realm="localhost/post_msg"', async () => {
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
      expect(await res.json()).toEqual({
        error: "No recipient: put it in the path (/msg/user) or in the to field",
        code: "MISSING_RECIPIENT",
      });
    }
    expect((await send("/msg", "application/json", '{"body":"x"}')).status).toBe(422);
  });

  test("a recipient that is not a JID: 422 INVALID_JID", async () => {
    const res = await send("/msg/", FORM, form({ to: "bo b@@localhost", body: "x" }));
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: "Not a valid recipient: bo b@@localhost",
      code: "INVALID_JID",
      field: "to",
      to: "bo b@@localhost",
    });
  });

  test("GET is not served: 405 with Allow (the original answered 404)", async () => {
    const res = await gw.request("/msg", { headers: { authorization: ALICE } });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED", allow: expect.arrayContaining(["POST"]) });
  });
});

describe("OPTIONS", () => {
  test("answers 200 with Allow: POST and the accepted formats, without credentials", async () => {
    for (const path of ["/msg", "/msg/bob@localhost"]) {
      const res = await gw.request(path, { method: "OPTIONS" });
      expect(res.status).toBe(200);
      expect(res.headers.get("allow")).toBe("POST");
      expect(res.headers.get("accept")).toBe("application/x-www-form-urlencoded, text/plain, application/json");
    }
  });
});
