// ntfy at `/` beside formats under their own prefixes (formats review 2, N4, N6, N10): a method
// the exact webhook path does not take is that format's 405; a path the router decodes or reaches
// through an empty segment is claimed, and hidden in the log, as the plain one is; and a JSON
// publish is held to what a topic's URL is.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type FakeGateway, fakeGateway } from "../helpers/fake-gateway.ts";

const SECRET = "b7rk3w9zq1xg5pd4ma8ycnhf2e";
const ROUTES = `auth:
  gotify: { kind: bearer, tokens: [{ name: app, token: AGhVjJ3kKc0dDzm-app-token }] }
routes:
  - { preset: ntfy, path: /, to: ops@localhost }
  - { preset: gotify, path: /gotify/, auth: gotify, to: ops@localhost }
  - { preset: mattermost, path: /hooks/${SECRET}, to: ops@localhost }
  - { preset: teams, path: /teams/5d41402abc4b2a76b9719d91aaaa, to: ops@localhost }
`;

let gw: FakeGateway;
beforeAll(async () => {
  gw = await fakeGateway(ROUTES);
});
afterAll(() => gw.stop());

/** The answer, what it sent, and its request log line's route and path. */
async function ask(method: string, path: string, sent = "hi", type = "text/plain") {
  const before = gw.stanzas().length;
  const res = await gw.request(path, { method, headers: { "content-type": type }, body: sent });
  const body = (await res.json()) as Record<string, unknown>;
  const line = gw.logs.filter((l) => l.msg === "http request").at(-1);
  return { status: res.status, body, sent: gw.stanzas().length - before, route: line?.route, path: line?.path };
}

describe("PUT, which ntfy's /:topic/:sequence_id takes, on a format's exact path is that format's 405", () => {
  test("Gotify", async () => {
    const a = await ask("PUT", "/gotify/message");
    expect([a.status, a.body.errorCode, a.route]).toEqual([405, 405, "/gotify/message"]);
  });

  test("Mattermost, its secret hidden", async () => {
    const a = await ask("PUT", `/hooks/${SECRET}`);
    expect([a.status, a.body.id, a.route, a.path]).toEqual([405, "stanzagate.method_not_allowed", "/hooks/b7rk…", "/hooks/b7rk…"]);
  });

  test("Teams", async () => {
    const a = await ask("PUT", "/teams/5d41402abc4b2a76b9719d91aaaa");
    expect([a.status, (a.body.error as Record<string, unknown>).code, a.route]).toEqual([405, "METHOD_NOT_ALLOWED", "/teams/5d41…"]);
  });
});

describe("a path is claimed and hidden as the router reads it: decoded, empty segments dropped", () => {
  for (const path of [`/%68ooks/${SECRET}`, `/%68ooks/${SECRET}X`, `//hooks/${SECRET}X`, `/hooks//${SECRET}`]) {
    test(`${path} is Mattermost's unknown webhook, never topic hooks, and logged as /hooks/…`, async () => {
      const a = await ask("POST", path);
      expect([a.status, a.body.id, a.sent, a.route, a.path]).toEqual([
        400,
        "web.incoming_webhook.invalid.app_error",
        0,
        "(unmatched)",
        "/hooks/…",
      ]);
    });
  }
});

describe("a ntfy JSON publish is refused where the topic's URL would not publish", () => {
  test("a topic another route's path starts with is ntfy's 40010, nothing sent", async () => {
    const a = await ask("POST", "/", '{"topic":"HOOKS","message":"x"}', "application/json");
    expect([a.status, a.body.code, a.sent]).toEqual([400, 40010, 0]);
  });

  test("a message of nothing but U+FFFD is ntfy's 40011 (not UTF-8), by JSON or by the topic's URL", async () => {
    const json = await ask("POST", "/", '{"topic":"backups","message":"\\ufffd \\ufffd"}', "application/json");
    const url = await ask("POST", "/backups", "\ufffd\ufffd");
    expect([json.status, json.body.code, json.sent, url.status, url.body.code, url.sent]).toEqual([400, 40011, 0, 400, 40011, 0]);
  });

  test("any other topic is published", async () => {
    const a = await ask("POST", "/", '{"topic":"backups","message":"x"}', "application/json");
    expect([a.status, a.body.topic, a.sent]).toEqual([200, "backups", 1]);
  });
});
