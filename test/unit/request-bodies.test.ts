// What a declarative route reads from a request body and how it refuses one: each problem once,
// JSON under the wrong Content-Type told so, integers refused before they lose digits, and JSON
// carried in a form's `payload=` field. In-process, on a fake XMPP entity.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/plugin-api/errors.ts";
import { ACCEPTED_TYPES, readJsonObject } from "../../src/kit/request-body.ts";
import { fakeGateway, type FakeGateway } from "../helpers/fake-gateway.ts";

let gw: FakeGateway;

beforeAll(async () => {
  gw = await fakeGateway(`
routes:
  - path: /typed
    body:
      to: jid
      text: string
      level: { type: string, enum: [info, warn], required: false }
      count: integer?
    send: '<message to="{{ body.to }}"><body>{{ body.text }} {{ body.count }}</body></message>'
  - path: /carries-payload
    body: { payload: string }
    send: '<message to="bob@localhost"><body>{{ body.payload }}</body></message>'
  - path: /untyped
    send: '<message to="bob@localhost"><body>{{ body.text }}{{ body.payload | parse_json | map: "a" | join: "," }} {{ query.n }}</body></message>'
`);
});

afterAll(() => gw.stop());

/** The answer, and the bodies of the messages the request sent. */
async function post(path: string, body: string, headers: Record<string, string> = { "content-type": "application/json" }) {
  const before = gw.stanzas().length;
  const res = await gw.request(path, { method: "POST", body, headers });
  const sent = gw
    .stanzas()
    .slice(before)
    .map((s) => s.getChildText("body"));
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, sent };
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("INVALID_BODY lists one problem per field and cause", () => {
  test("a missing JID field is `required`, once", async () => {
    const res = await post("/typed", JSON.stringify({ text: "hi" }));
    expect(res).toEqual({
      status: 400,
      json: {
        error: "Body does not match what this route accepts",
        code: "INVALID_BODY",
        problems: [{ field: "to", problem: "required" }],
      },
      sent: [],
    });
  });

  test("a missing string field is `required`, not also `Expected string`", async () => {
    const res = await post("/typed", JSON.stringify({ to: "bob@localhost" }));
    expect(res.json.problems).toEqual([{ field: "text", problem: "required" }]);
  });

  test("a number where a JID belongs is `Expected a JID`, once", async () => {
    const res = await post("/typed", JSON.stringify({ to: 5, text: "hi" }));
    expect(res.json.problems).toEqual([{ field: "to", problem: "Expected a JID" }]);
  });

  test("a value outside enum: names the values accepted", async () => {
    const res = await post("/typed", JSON.stringify({ to: "bob@localhost", text: "hi", level: "loud" }));
    expect(res.json.problems).toEqual([{ field: "level", problem: 'Expected one of: "info", "warn"' }]);
  });
});

describe("JSON sent under another Content-Type is told which one it needs", () => {
  const json = JSON.stringify({ to: "bob@localhost", text: "hi" });

  test("without a Content-Type: 415 with the hint", async () => {
    const res = await post("/typed", json, {});
    expect(res).toEqual({
      status: 415,
      json: {
        error: "Unsupported Content-Type",
        code: "UNSUPPORTED_MEDIA_TYPE",
        accepted: ACCEPTED_TYPES,
        hint: "The body is JSON but was sent without a Content-Type: send it with Content-Type: application/json",
      },
      sent: [],
    });
  });

  test.each(["text/plain", "application/x-www-form-urlencoded"])("as %s to a route with body: fields: 400 with the hint", async (type) => {
    const res = await post("/typed", json, { "content-type": type });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("INVALID_BODY");
    expect(res.json.hint).toBe(`The body is JSON but was sent as ${type}: send it with Content-Type: application/json`);
  });

  test("text that is not JSON gets no hint", async () => {
    const res = await post("/typed", "hello", { "content-type": "text/plain" });
    expect(res.json.hint).toBeUndefined();
  });

  test("a route without body: still takes text/plain as body.text", async () => {
    expect((await post("/untyped", "backup done", { "content-type": "text/plain" })).sent).toEqual(["backup done "]);
  });
});

describe("an integer field refuses what a double cannot hold exactly (beyond ±(2^53-1))", () => {
  const problem = `Expected an integer between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (2^53-1): a larger one loses digits`;

  test.each(["123456789012345678901234567890", "-123456789012345678901234567890", "9007199254740992"])(
    "JSON %s: 400 naming the field",
    async (n) => {
      const res = await post("/typed", `{"to":"bob@localhost","text":"hi","count":${n}}`);
      expect(res).toEqual({
        status: 400,
        json: { error: "Body does not match what this route accepts", code: "INVALID_BODY", problems: [{ field: "count", problem }] },
        sent: [],
      });
    },
  );

  test("a form field: the same 400", async () => {
    const res = await post("/typed", "to=bob@localhost&text=hi&count=123456789012345678901234567890", FORM);
    expect(res.json.problems).toEqual([{ field: "count", problem }]);
  });

  test("the largest safe integer is accepted, from JSON and from a form", async () => {
    expect((await post("/typed", `{"to":"bob@localhost","text":"hi","count":${Number.MAX_SAFE_INTEGER}}`)).sent).toEqual([
      `hi ${Number.MAX_SAFE_INTEGER}`,
    ]);
    expect((await post("/typed", `to=bob@localhost&text=hi&count=-${Number.MAX_SAFE_INTEGER}`, FORM)).sent).toEqual([
      `hi -${Number.MAX_SAFE_INTEGER}`,
    ]);
  });

  test("a form's 1.5 is not an integer (it was read as 1)", async () => {
    const res = await post("/typed", "to=bob@localhost&text=hi&count=1.5", FORM);
    expect(res.json.problems).toEqual([{ field: "count", problem: "Expected integer" }]);
  });

  test("a query parameter is text and keeps every digit", async () => {
    const res = await post("/untyped?n=123456789012345678901234567890", "x", { "content-type": "text/plain" });
    expect(res.sent).toEqual(["x 123456789012345678901234567890"]);
  });
});

describe("JSON in a form's payload= field (GitHub's default content type, Slack's legacy webhooks)", () => {
  const payload = (value: unknown) => `payload=${encodeURIComponent(JSON.stringify(value))}`;

  test("is the body of a route that declares body: fields", async () => {
    expect(await post("/typed", payload({ to: "bob@localhost", text: "hi", count: 3 }), FORM)).toMatchObject({
      status: 201,
      sent: ["hi 3"],
    });
  });

  test("stays a field where the route declares one named payload", async () => {
    expect((await post("/carries-payload", payload({ a: 1 }), FORM)).sent).toEqual(['{"a":1}']);
  });

  test("is body.payload, text, on a route without body:; | parse_json reads it", async () => {
    expect((await post("/untyped", payload([{ a: 1 }, { a: 2 }]), FORM)).sent).toEqual(["1,2 "]);
  });

  test("beside other fields it is an ordinary field", async () => {
    const res = await post("/typed", `${payload({ to: "bob@localhost", text: "hi" })}&x=1`, FORM);
    expect(res.json.problems).toEqual([
      { field: "to", problem: "required" },
      { field: "text", problem: "required" },
      { field: "payload", problem: "Unexpected property" },
      { field: "x", problem: "Unexpected property" },
    ]);
  });
});

describe("readJsonObject: one reader of a JSON object body, each format wording its refusal", () => {
  const post = (body: string) => new Request("http://x/", { method: "POST", body });
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => "read",
      (err: unknown) => (err instanceof GatewayError ? err.code : "fault"),
    );

  test("an object is its fields; not JSON, or JSON that is no object, is INVALID_JSON", async () => {
    expect(await readJsonObject(post('{"text":"hi"}'), 100)).toEqual({ text: "hi" });
    expect(await codeOf(readJsonObject(post("{"), 100))).toBe("INVALID_JSON");
    expect(await codeOf(readJsonObject(post("[1]"), 100))).toBe("INVALID_JSON");
  });

  test("onError words INVALID_JSON in the format's terms; a body too large stays BODY_TOO_LARGE", async () => {
    const mine = () => new GatewayError("BAD_REQUEST", "not mine");
    expect(await codeOf(readJsonObject(post("nope"), 100, mine))).toBe("BAD_REQUEST");
    expect(await codeOf(readJsonObject(post(`{"text":"${"x".repeat(200)}"}`), 100, mine))).toBe("BODY_TOO_LARGE");
  });
});
