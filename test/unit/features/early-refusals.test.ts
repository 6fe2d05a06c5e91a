// A body declared larger than http.max_body_bytes is refused by the front door, unread, before
// any handler runs (http/front-door.ts): every real sender declares Content-Length, so this is
// the 413 they see. Each format's route answers it in its sender's own shape (finding 9 of
// notes/formats-review.md); a route of no format keeps the gateway's JSON.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../helpers/fake-gateway.ts";

const MAX = 1024;
const GOTIFY_TOKEN = "AGhVjJ3kKc0dDzm";
const ROUTES = `http:
  max_body_bytes: ${MAX}
auth:
  apps: { kind: bearer, tokens: [{ name: backups, token: "${GOTIFY_TOKEN}" }] }
routes:
  - { preset: slack, path: /slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x, to: bob@localhost }
  - { preset: mattermost, path: /hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e, to: bob@localhost }
  - { preset: teams, path: /teams/Qm9uZ2VyLXNlY3JldC0y, to: bob@localhost }
  - { preset: discord, path: /api/webhooks/1/Qm9uZ2VyLXNlY3JldC0z, to: bob@localhost }
  - { preset: gotify, path: /gotify/, auth: apps, to: bob@localhost }
  - { preset: apprise, path: /apprise, to: bob@localhost }
  - { preset: ntfy, path: /ntfy, to: bob@localhost }
  - path: /plain
    send: '<message to="bob@localhost"><body>{{ body.text }}</body></message>'
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

/** A POST declaring one byte more than the limit; the few bytes sent are never read. */
async function oversize(path: string, headers: Record<string, string> = {}) {
  const before = gw.stanzas().length;
  const res = await gw.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": String(MAX + 1), ...headers },
    body: "{}",
  });
  expect(gw.stanzas().length).toBe(before);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

describe("a declared body over the limit, refused in the shape of the route it was sent to", () => {
  test("a path below a format's prefix that no route serves (a wrong secret): in that format's shape too", async () => {
    const res = await oversize("/hooks/wrong");
    expect([res.status, JSON.parse(res.body).id]).toEqual([413, "stanzagate.body_too_large"]);
    const slack = await oversize("/slack/T0/B0/wrong");
    expect([slack.status, slack.body]).toEqual([413, "request_too_large"]);
  });

  test("Slack: 413 and its plain-text string request_too_large", async () => {
    const res = await oversize("/slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x");
    expect([res.status, res.type, res.body]).toEqual([413, "text/plain; charset=utf-8", "request_too_large"]);
  });

  test("Mattermost: 413 and an AppError", async () => {
    const res = await oversize("/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e");
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({
      id: "stanzagate.body_too_large",
      detailed_error: `Body larger than ${MAX} bytes`,
      status_code: 413,
    });
  });

  test("Teams: 413 in the Workflows error shape (the card is not read yet)", async () => {
    const res = await oversize("/teams/Qm9uZ2VyLXNlY3JldC0y");
    expect([res.status, JSON.parse(res.body)]).toEqual([
      413,
      { error: { code: "BODY_TOO_LARGE", message: `Body larger than ${MAX} bytes`, max_bytes: MAX } },
    ]);
  });

  test("Discord: 413 with its code 40005", async () => {
    const res = await oversize("/api/webhooks/1/Qm9uZ2VyLXNlY3JldC0z");
    expect([res.status, JSON.parse(res.body)]).toEqual([413, { message: "Request entity too large", code: 40005 }]);
  });

  test("Gotify: 413 in its error shape", async () => {
    const res = await oversize("/gotify/message", { "x-gotify-key": GOTIFY_TOKEN });
    expect([res.status, JSON.parse(res.body)]).toEqual([
      413,
      { error: "Request Entity Too Large", errorCode: 413, errorDescription: `Body larger than ${MAX} bytes` },
    ]);
  });

  test("the Apprise API: its 431, as text or apprise-api's JSON; json:// keeps the catalogue's 413", async () => {
    expect(await oversize("/apprise/notify/k", { accept: "text/plain" })).toEqual({
      status: 431,
      type: "text/plain; charset=utf-8",
      body: `Body larger than ${MAX} bytes`,
    });
    const json = await oversize("/apprise/notify", { accept: "application/json" });
    expect([json.status, JSON.parse(json.body)]).toEqual([
      431,
      { error: `Body larger than ${MAX} bytes`, details: { code: "BODY_TOO_LARGE" } },
    ]);
    const plain = await oversize("/apprise");
    expect([plain.status, JSON.parse(plain.body).code]).toEqual([413, "BODY_TOO_LARGE"]);
  });

  test("ntfy: a topic's body is an attachment (40014), the JSON publish's is 41303", async () => {
    const topic = await oversize("/ntfy/backups", { "content-type": "text/plain" });
    expect([topic.status, JSON.parse(topic.body).code]).toEqual([400, 40014]);
    const json = await oversize("/ntfy");
    expect([json.status, JSON.parse(json.body)]).toEqual([413, { code: 41303, http: 413, error: "JSON body too large" }]);
  });

  test("a route of no sender format: the gateway's JSON", async () => {
    const res = await oversize("/plain");
    expect([res.status, JSON.parse(res.body).code]).toEqual([413, "BODY_TOO_LARGE"]);
  });
});

describe("a method the path does not take: 405 with Allow, in the route's shape too", () => {
  test("Slack: method_not_allowed as text; Gotify: its error JSON", async () => {
    const slack = await gw.request("/slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x", { method: "PUT", body: "{}" });
    expect([slack.status, slack.headers.get("allow"), await slack.text()]).toEqual([405, "POST, OPTIONS", "method_not_allowed"]);
    const gotify = await gw.request("/gotify/message", { method: "PUT", body: "{}" });
    expect([gotify.status, await gotify.json()]).toEqual([
      405,
      { error: "Method Not Allowed", errorCode: 405, errorDescription: "/gotify/message does not accept PUT" },
    ]);
  });
});
