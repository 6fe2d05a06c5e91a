// muc_kick's answers that need no XMPP server, byte for byte as the original's: driven with
// Request objects through a gateway whose link is a FakeEntity. The answers that need a MUC
// service are in test/integration/plugins/muc_kick-errors.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../helpers/fake-gateway.ts";

const AUTH = "Basic YWxhZGRpbjpvcGVuc2VzYW1l";
let gw: FakeGateway;

beforeAll(async () => {
  gw = await fakeGateway(`auth:\n  kick:\n    kind: header\n    value: "${AUTH}"\nroutes:\n  - plugin: muc_kick\n    auth: kick\n`);
});

afterAll(async () => {
  await gw?.stop();
});

/** Status, Content-Type and body text, for byte-for-byte comparison. */
async function answer(res: Response): Promise<[number, string | null, string]> {
  return [res.status, res.headers.get("content-type"), await res.text()];
}

function kick(body: unknown, authorization: string | null = AUTH): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization !== null) headers.authorization = authorization;
  return gw.request("/muc_kick", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

describe("refused before any stanza is sent, as the original answered", () => {
  test("no Authorization header: 401 Authorization failed", async () => {
    expect(await answer(await kick({ nickname: "Bob", muc: "lounge@muc.localhost" }, null))).toEqual([
      401,
      "application/json",
      `{"error":"Authorization failed"}`,
    ]);
  });

  test("a different Authorization header: 401 Authorization failed", async () => {
    expect(await answer(await kick({ nickname: "Bob", muc: "lounge@muc.localhost" }, "Basic d3Jvbmc6d3Jvbmc="))).toEqual([
      401,
      "application/json",
      `{"error":"Authorization failed"}`,
    ]);
  });

  test("a body that is not JSON: 400 JSON body not found (the original's dead branch, revived)", async () => {
    for (const body of ["nickname=Bob&muc=lounge@muc.localhost", "", "{nickname: 'Bob'}"]) {
      expect(await answer(await kick(body))).toEqual([400, "application/json", `{"error":"JSON body not found"}`]);
    }
  });

  test("no nickname, or no muc: 400 Missing nickname and/or MUC", async () => {
    for (const body of [
      { muc: "lounge@muc.localhost" },
      { nickname: "Bob" },
      { nickname: null, muc: "lounge@muc.localhost" },
      {},
      [],
      null,
      '"text"',
      5,
    ]) {
      expect(await answer(await kick(body))).toEqual([400, "application/json", `{"error":"Missing nickname and/or MUC"}`]);
    }
  });

  test("a muc that is not a JID at all: 400 INVALID_JID naming the field", async () => {
    const res = await kick({ nickname: "Bob", muc: "not a jid@" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Not a valid JID: not a jid@", code: "INVALID_JID", field: "muc" });
  });

  test("nothing reached the server", () => {
    expect(gw.stanzas()).toEqual([]);
  });
});
