// preset: ntfy refuses as ntfy refuses: its status, its code, its sentence and link
// (server/errors.go of ntfy v2.13), and nothing reaches XMPP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";

const ROUTES = `
routes:
  - preset: ntfy
    topics: { backups: admin@localhost }
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

async function refused(path: string, init: RequestInit = {}) {
  const before = gw.stanzas().filter((s) => s.name === "message").length;
  const response = await gw.request(path, { method: "POST", ...init });
  expect(gw.stanzas().filter((s) => s.name === "message").length).toBe(before);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("bad input gets ntfy's error and sends nothing", () => {
  test("a message over 4,096 bytes is an attachment, which a server without file storage refuses (40014, saying what turns it on)", async () => {
    expect(await refused("/backups", { body: "x".repeat(4097) })).toEqual({
      status: 400,
      body: {
        code: 40014,
        http: 400,
        error: "invalid request: attachments not allowed, set http.public_url to let this gateway keep files",
        link: "https://ntfy.sh/docs/config/#attachments",
      },
    });
  });

  test("a body that is not UTF-8 is an attachment too", async () => {
    expect((await refused("/backups", { body: new Uint8Array([0xff, 0xfe, 0x41]) })).body.code).toBe(40014);
  });

  test("a topic with no recipients: not listed, and no to:", async () => {
    expect(await refused("/elsewhere", { body: "x" })).toEqual({
      status: 404,
      body: {
        code: 40401,
        http: 404,
        error: "page not found, topic elsewhere has no recipients (not under topics:, and the route has no to:)",
      },
    });
  });

  test.each([
    ["priority 6", "/backups", { Priority: "6" }, 40007],
    ["priority 'loud'", "/backups?p=loud", {}, 40007],
    ["an attachment URL that is not http(s)", "/backups", { Attach: "ftp://x/y" }, 40013],
    ["a file name without a URL (a file upload)", "/backups", { Filename: "df.txt" }, 40014],
    ["an icon that is not http(s)", "/backups", { Icon: "file:///etc/passwd" }, 40021],
    ["an action of an unknown kind", "/backups", { Actions: "open, Door, https://x/" }, 40018],
    ["a view action without a URL", "/backups", { Actions: "view, Door" }, 40018],
    ["four actions", "/backups", { Actions: "view, a, https://a/; view, b, https://b/; view, c, https://c/; view, d, https://d/" }, 40018],
    ["e-mail forwarding", "/backups", { Email: "a@example.org" }, 40001],
    ["a phone call", "/backups", { Call: "yes" }, 40032],
    ["scheduled delivery", "/backups", { Delay: "10m" }, 40000],
    ["a sequence id that is not a name", "/backups", { "X-Sequence-ID": "a/b" }, 40000],
    ["a topic name ntfy keeps (v1)", "/v1", {}, 40010],
    ["control characters XML cannot carry", "/backups", { Title: "bell\u0007" }, 40000],
  ])("%s", async (_what, path, headers, code) => {
    const { status, body } = await refused(path, { body: "x", headers });
    expect({ status, code: body.code, http: body.http }).toEqual({ status: 400, code, http: 400 });
  });

  test("JSON to the root: not JSON (40024), no topic or a bad one (40009), wrong field types (40024), too large (41303), a message past 4,096 bytes (40014)", async () => {
    const json = async (body: string) => (await refused("/", { body, headers: { "Content-Type": "application/json" } })).body.code;
    expect(await json("{not json")).toBe(40024);
    expect(await json(`{"message":"x"}`)).toBe(40009);
    expect(await json(`{"topic":"a b","message":"x"}`)).toBe(40009);
    expect(await json(`{"topic":"backups","priority":"high"}`)).toBe(40024);
    expect(await json(`{"topic":"backups","tags":"a,b"}`)).toBe(40024);
    expect(await json(`[1,2]`)).toBe(40024);
    expect(await json(`{"topic":"backups","message":"${"x".repeat(8200)}"}`)).toBe(41303);
    expect(await json(`{"topic":"backups","message":"${"x".repeat(4097)}"}`)).toBe(40014);
    expect(await json(`{"topic":"backups","actions":${"[".repeat(100)}}`)).toBe(40024);
  });

  test("a message body in a NUL byte", async () => {
    expect((await refused("/backups", { body: "a\u0000b" })).body.code).toBe(40000);
  });
});

describe("the gateway's own refusals carry a code too, the status's generic one where ntfy has none", () => {
  test("a method the root does not take: 405 with Allow, code 40500", async () => {
    const response = await gw.request("/", { method: "DELETE" });
    expect([response.status, response.headers.get("allow"), await response.json()]).toEqual([
      405,
      "POST, PUT, OPTIONS",
      { code: 40500, http: 405, error: "/ does not accept DELETE" },
    ]);
  });

  test("a stanza over xmpp.max_stanza_bytes: 413, code 41300", async () => {
    const small = await fakeGateway(ROUTES, { maxStanzaBytes: 1_024 });
    try {
      const response = await small.request("/backups", { method: "POST", body: "x".repeat(1_500) });
      const body = (await response.json()) as Record<string, unknown>;
      expect([response.status, body.code, body.http]).toEqual([413, 41300, 413]);
    } finally {
      await small.stop();
    }
  });
});
