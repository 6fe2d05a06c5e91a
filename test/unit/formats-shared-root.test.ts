// ntfy at `/` with a catch-all `to:`, beside every other format under its own prefix (finding 3 of
// the formats review): a mistyped or wrong-secret URL of another format is never a ntfy topic
// answered 200; it gets the owning format's "unknown webhook" answer, and nothing is sent.
// `check` says so (a warning, never a refusal).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/features/index.ts";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { type FakeGateway, fakeGateway, FAKE_HEAD } from "../helpers/fake-gateway.ts";

const ROUTES = `auth:
  gotify: { kind: bearer, tokens: [{ name: app, token: AGhVjJ3kKc0dDzm-app-token }] }
routes:
  - { preset: ntfy, path: /, to: ops@localhost }
  - { preset: gotify, path: /gotify/, auth: gotify, to: ops@localhost }
  - { preset: mattermost, path: /hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e, to: ops@localhost }
  - { preset: slack, path: /slack/T0/B0/9f86d081884c7d659a2feaa0, to: ops@localhost }
  - { preset: discord, path: /discord/webhooks/1/3f9c2a7be41d4e8f9b0c6d5a, to: ops@localhost }
  - { preset: apprise, path: /apprise, to: ops@localhost }
  - { preset: teams, path: /teams/5d41402abc4b2a76b9719d91aaaa, to: ops@localhost }
  - path: /status
    send: '<message to="ops@localhost" type="chat"><body>status</body></message>'
`;
const post = (body: string, type = "application/json"): RequestInit => ({ method: "POST", headers: { "content-type": type }, body });

let gw: FakeGateway;
beforeAll(async () => {
  gw = await fakeGateway(ROUTES);
});
afterAll(() => gw.stop());

/** The answer, and what it sent: nothing, for every request below. */
async function answer(path: string, init: RequestInit): Promise<{ status: number; type: string | null; body: string; sent: number }> {
  const before = gw.stanzas().length;
  const res = await gw.request(path, init);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text(), sent: gw.stanzas().length - before };
}

describe("a mistyped URL of another format is answered by that format, never published as a topic", () => {
  test("Mattermost: a wrong hook id is its 400 invalid-webhook AppError", async () => {
    const a = await answer("/hooks/nope", post('{"text":"a"}'));
    expect([a.status, a.sent]).toEqual([400, 0]);
    expect(JSON.parse(a.body)).toMatchObject({ id: "web.incoming_webhook.invalid.app_error", status_code: 400 });
  });

  test("Slack: a wrong secret, or a path of the wrong case, is its 404 no_service in text/plain", async () => {
    for (const path of ["/slack/T0/B0/wrong", "/slack/nope", "/SLACK/T0/B0/9F86D081884C7D659A2FEAA0"]) {
      const a = await answer(path, post('{"text":"a"}'));
      expect([a.status, a.body, a.type, a.sent]).toEqual([404, "no_service", "text/plain; charset=utf-8", 0]);
    }
  });

  test("Teams: a wrong secret is 404 in the Workflows shape", async () => {
    const a = await answer("/teams/wrongwrongwrongwrong", post('{"type":"message","attachments":[]}'));
    expect([a.status, a.sent]).toEqual([404, 0]);
    expect(JSON.parse(a.body)).toEqual({ error: { code: "NOT_FOUND", message: "No Teams webhook at this path" } });
  });

  test("Gotify: a path its server has no route for is its 404 page not found", async () => {
    for (const path of ["/gotify/MESSAGE?token=AGhVjJ3kKc0dDzm-app-token", "/gotify/?token=AGhVjJ3kKc0dDzm-app-token"]) {
      const a = await answer(path, post("message=x", "application/x-www-form-urlencoded"));
      expect([a.status, a.sent]).toEqual([404, 0]);
      expect(JSON.parse(a.body)).toEqual({ error: "Not Found", errorCode: 404, errorDescription: "page not found" });
    }
  });

  test("Discord: another webhook id below its prefix is 404 Unknown Webhook (10015)", async () => {
    const a = await answer("/discord/webhooks/2/3f9c2a7be41d4e8f9b0c6d5a", post('{"content":"a"}'));
    expect([a.status, JSON.parse(a.body), a.sent]).toEqual([404, { message: "Unknown Webhook", code: 10015 }, 0]);
  });

  test("a route with no answer of its own (Apprise, a declarative route) gives the gateway's 404, whatever the case", async () => {
    for (const path of ["/APPRISE", "/apprise/nope/more", "/status/x"]) {
      const a = await answer(path, post('{"message":"m"}'));
      expect([a.status, JSON.parse(a.body).code, a.sent]).toEqual([404, "NOT_FOUND", 0]);
    }
  });

  test("each is logged as no route's, and a near miss of a secret path with its first segment only", async () => {
    await gw.request("/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2f", post('{"text":"a"}'));
    await gw.request("/APPRISE", post('{"message":"m"}'));
    const lines = gw.logs.filter((l) => l.msg === "http request").slice(-2);
    expect(lines.map((l) => [l.route, l.path, l.status])).toEqual([
      ["(unmatched)", "/hooks/…", 400],
      ["(unmatched)", "/APPRISE", 404],
    ]);
  });
});

describe("what stays ntfy's", () => {
  test("any other topic is published to to:, and the formats' own paths still serve them", async () => {
    const topic = await answer("/backups", post("disk full", "text/plain"));
    expect([topic.status, JSON.parse(topic.body).topic, topic.sent]).toEqual([200, "backups", 1]);
    const hook = await answer("/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e", post('{"text":"a"}'));
    expect([hook.status, hook.body, hook.sent]).toEqual([200, "ok", 1]);
  });
});

test("check warns, without refusing, that the catch-all's root is shared, naming the other routes' first segments", () => {
  const result = loadConfig(FAKE_HEAD + ROUTES, {}, BUILTIN_PLUGINS);
  expect(result.ok).toBe(true);
  if (result.ok)
    expect(result.warnings.map((w) => `${w.path}  ${w.message}`)).toEqual([
      "routes[0].to  to: takes every topic under /, which other routes' paths start under too (/gotify/…, /hooks/…, /slack/…, /discord/…, /apprise/…, /teams/…, /status/…): a topic named as one of them is theirs (answered as their unknown path, never published); a root of ntfy's own (path: /ntfy) keeps them apart, or shared_root: true says it is meant (Apprise's ntfy:// posts to /)",
    ]);
});

test("a listed topic named as another route's first segment is unreachable: said once, without the rest of its path (a secret)", () => {
  const withTopics = ROUTES.replace(
    "{ preset: ntfy, path: /, to: ops@localhost }",
    "{ preset: ntfy, path: /, topics: { hooks: a@localhost, Discord: a@localhost, backups: a@localhost } }",
  );
  const result = loadConfig(FAKE_HEAD + withTopics, {}, BUILTIN_PLUGINS);
  expect(result.ok).toBe(true);
  if (result.ok)
    expect(result.warnings.map((w) => `${w.path}  ${w.message}`)).toEqual([
      "routes[0].topics.hooks  topic hooks is unreachable: routes[2] serves paths under /hooks/, and explicit routes win over topics",
      "routes[0].topics.Discord  topic Discord is unreachable: routes[4] serves paths under /discord/, and explicit routes win over topics",
    ]);
});

test("shared_root: true says the shared root is meant (Apprise's ntfy:// needs /): no warning, the claims unchanged", async () => {
  const meant = ROUTES.replace(
    "{ preset: ntfy, path: /, to: ops@localhost }",
    "{ preset: ntfy, path: /, to: ops@localhost, shared_root: true }",
  );
  const result = loadConfig(FAKE_HEAD + meant, {}, BUILTIN_PLUGINS);
  expect(result.ok && result.warnings).toEqual([]);
  const quiet = await fakeGateway(meant);
  try {
    const res = await quiet.request("/hooks/nope", post('{"text":"a"}'));
    expect([res.status, ((await res.json()) as { id: string }).id]).toEqual([400, "web.incoming_webhook.invalid.app_error"]);
  } finally {
    await quiet.stop();
  }
});
