// preset: slack and preset: mattermost, the routes in-process: the answers senders check, bad input
// refused in the vendor's own error shape with nothing sent, delivery (queued, too large, a full
// outbox) and what `check` says of an entry. What payloads read as: read.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import { webhookHandler, type WebhookDeps } from "../../../../src/features/slack/handler.ts";
import type { FormatRouteConfig } from "../../../../src/features/slack/schema.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { loadConfig } from "../../../../src/features/index.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { type FakeGateway, fakeGateway } from "../../../helpers/fake-gateway.ts";

const SLACK_PATH = "/slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x";
const MM_PATH = "/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e";
const ROUTES = `auth:
  ops: { kind: bearer, tokens: [{ name: ci, token: "ops-token-0123456789" }] }
routes:
  - { preset: slack, path: ${SLACK_PATH}, to: bob@localhost }
  - { preset: mattermost, path: ${MM_PATH}, to: [bob@localhost, alice@localhost] }
  - { preset: slack, path: /slack/guarded, auth: ops, to: bob@localhost }
`;
const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const bodies = (stanzas: Element[]) => stanzas.map((s) => [s.attrs.to, s.getChildText("body")]);

describe("the routes", () => {
  let gw: FakeGateway;
  let before = 0;
  beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
  afterAll(() => gw.stop());
  beforeEach(() => void (before = gw.stanzas().length));
  /** What the gateway sent during this test. */
  const sent = () => bodies(gw.stanzas().slice(before));

  test("Slack: 200 and exactly `ok` in text/plain once delivered, from JSON or from a form's payload=", async () => {
    const res = await gw.request(SLACK_PATH, json({ text: "one" }));
    expect([res.status, res.headers.get("content-type"), await res.text()]).toEqual([200, "text/plain; charset=utf-8", "ok"]);
    const form = await gw.request(SLACK_PATH, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `payload=${encodeURIComponent(JSON.stringify({ text: "two <https://x.example|x>" }))}`,
    });
    expect([form.status, await form.text()]).toEqual([200, "ok"]);
    expect(sent()).toEqual([
      ["bob@localhost", "one"],
      ["bob@localhost", "two x (https://x.example)"],
    ]);
  });

  test("Mattermost: 200 ok, one message to each recipient, JSON read whatever the Content-Type", async () => {
    const res = await gw.request(MM_PATH, { method: "POST", body: '{"text":"**deploy** done"}' });
    expect([res.status, await res.text()]).toEqual([200, "ok"]);
    expect(sent()).toEqual([
      ["bob@localhost", "*deploy* done"],
      ["alice@localhost", "*deploy* done"],
    ]);
  });

  test("Mattermost: a multipart form's fields are the payload (curl -F text=hi)", async () => {
    const form = new FormData();
    form.append("text", "hi from **curl**");
    form.append("username", "ci");
    const res = await gw.request(MM_PATH, { method: "POST", body: form });
    expect([res.status, await res.text()]).toEqual([200, "ok"]);
    expect(sent()).toEqual([
      ["bob@localhost", "hi from *curl*"],
      ["alice@localhost", "hi from *curl*"],
    ]);
    const broken = await gw.request(MM_PATH, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
      body: "--xyz\r\nno disposition\r\n\r\nhi\r\n--xyz--\r\n",
    });
    expect([broken.status, ((await broken.json()) as { id: string }).id]).toEqual([400, "web.incoming_webhook.parse.app_error"]);
  });

  test("Slack's errors are its plain-text strings, and nothing is sent", async () => {
    const cases: Array<[RequestInit, number, string]> = [
      [json({ attachments: [{ color: "danger" }] }), 400, "no_text"],
      [{ method: "POST", headers: { "content-type": "application/json" }, body: '{"text": "x"' }, 400, "invalid_payload"],
      [
        { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "payload=not%20json" },
        400,
        "invalid_payload",
      ],
      [{ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "text=hello" }, 400, "invalid_payload"],
      [json([{ text: "a list" }]), 400, "invalid_payload"],
      [json({ blocks: Array(10_000).fill({ type: "divider" }) }), 400, "invalid_blocks"],
      [json({ text: "x".repeat(1_100_000) }), 413, "request_too_large"],
    ];
    for (const [init, status, text] of cases) {
      const res = await gw.request(SLACK_PATH, init);
      expect([res.status, res.headers.get("content-type"), await res.text()]).toEqual([status, "text/plain; charset=utf-8", text]);
    }
    expect(sent()).toEqual([]);
  });

  test("Mattermost's errors are its AppError JSON, and nothing is sent", async () => {
    const noText = await gw.request(MM_PATH, json({ text: "" }));
    expect(noText.status).toBe(400);
    expect(await noText.json()).toMatchObject({
      id: "web.incoming_webhook.text.app_error",
      message: "No text specified.",
      status_code: 400,
    });
    const parse = await gw.request(MM_PATH, { method: "POST", body: "text=hi" });
    expect(await parse.json()).toMatchObject({ id: "web.incoming_webhook.parse.app_error", status_code: 400 });
    const blocks = await gw.request(MM_PATH, json({ text: "x", blocks: Array(51).fill({ type: "divider" }) }));
    expect(await blocks.json()).toMatchObject({ id: "stanzagate.slack_invalid_blocks", status_code: 400 });
    expect(sent()).toEqual([]);
  });

  test("a route with auth takes its token and refuses a request without one (invalid_token)", async () => {
    const refused = await gw.request("/slack/guarded", json({ text: "x" }));
    expect([refused.status, await refused.text()]).toEqual([401, "invalid_token"]);
    const init = json({ text: "guarded" });
    const res = await gw.request("/slack/guarded", {
      ...init,
      headers: { ...init.headers, authorization: "Bearer ops-token-0123456789" },
    });
    expect([res.status, await res.text()]).toEqual([200, "ok"]);
    expect(sent()).toEqual([["bob@localhost", "guarded"]]);
  });

  test("the secret paths are never logged nor metric labels: the last segment is hidden", async () => {
    await gw.request(SLACK_PATH, json({ text: "logged?" }));
    await gw.request(MM_PATH, json({}));
    const logs = JSON.stringify(gw.logs);
    const metrics = await (await gw.request("/metrics")).text();
    for (const secret of [SLACK_PATH, MM_PATH].map((p) => p.split("/").at(-1) as string)) {
      expect(logs).not.toContain(secret);
      expect(metrics).not.toContain(secret);
    }
    expect(gw.logs.filter((l) => l.msg === "http request").map((l) => [l.path, l.route, l.status])).toContainEqual([
      "/hooks/b7rk…",
      "/hooks/b7rk…",
      400,
    ]);
    expect(metrics).toContain('route="/slack/T0/B0/Qm9u…"');
  });

  test("the secret paths are left out of /openapi.json", async () => {
    const doc = await (await gw.request("/openapi.json")).text();
    expect(doc).not.toContain("/slack/");
    expect(doc).not.toContain("/hooks/");
  });
});

describe("delivery", () => {
  const route: FormatRouteConfig = {
    kind: "slack",
    at: "routes[0]",
    path: "/s",
    method: "POST",
    auth: undefined,
    to: ["bob@localhost", `${"a".repeat(300)}@localhost`],
    rooms: {},
  };
  type Deliver = WebhookDeps["deliver"];
  const post = (deliver: Deliver, text: string) =>
    webhookHandler(route, {
      auth: undefined,
      files: undefined,
      component: "gw.localhost",
      newId: () => "id",
      deliver,
      maxBodyBytes: 1_000_000,
      maxStanzaBytes: 1_024,
    })({ request: new Request("http://gw/s", json({ text })), params: {}, ip: "127.0.0.1" });
  const recording =
    (sent: Element[], outcome: "sent" | "queued" = "sent"): Deliver =>
    async (stanza) => (sent.push(stanza), outcome);

  test("a message that fits both recipients goes to both: 200 ok", async () => {
    const sent: Element[] = [];
    const res = await post(recording(sent), "x".repeat(100));
    expect([res.status, await res.text()]).toEqual([200, "ok"]);
    expect(sent.map((s) => s.attrs.to)).toEqual([...route.to]);
  });

  test("queued in the outbox while the server is away is 200 ok too: apprise and Grafana need exactly that", async () => {
    const res = await post(recording([], "queued"), "x");
    expect([res.status, await res.text()]).toEqual([200, "ok"]);
  });

  test("a message that would fit the short address but not the long one is refused before either gets it", async () => {
    const sent: Element[] = [];
    const res = await post(recording(sent), "x".repeat(700));
    expect([res.status, await res.text()]).toEqual([413, "msg_too_long"]);
    expect(sent).toEqual([]);
  });

  test("the size limit is the one every format shares: a message that fits the longest address exactly goes out", async () => {
    const envelope = `<message to="${route.to[1]}" from="gw.localhost" id="id" type="chat"><body></body><origin-id xmlns="urn:xmpp:sid:0" id="id"/></message>`;
    const fits = 1_024 - Buffer.byteLength(envelope);
    const sent: Element[] = [];
    const res = await post(recording(sent), "x".repeat(fits));
    expect([res.status, await res.text()]).toEqual([200, "ok"]);
    expect(sent.map((s) => s.toString().length)).toEqual([1_024 - 300 + "bob".length, 1_024]);
    const over = await post(recording([]), "x".repeat(fits + 1));
    expect([over.status, await over.text()]).toEqual([413, "msg_too_long"]);
  });

  test("an outbox that cannot take it is 503 outbox_full, which senders retry", async () => {
    const res = await post(async () => {
      throw new GatewayError("OUTBOX_FULL");
    }, "x");
    expect([res.status, await res.text()]).toEqual([503, "outbox_full"]);
  });
});

describe("routes.yaml", () => {
  const HEAD = 'xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }\n';
  const check = (routes: string) => {
    const result = loadConfig(`${HEAD}routes:\n${routes}`, {}, BUILTIN_PLUGINS);
    return result.ok ? formatLines("r.yaml", result.warnings) : formatLines("r.yaml", result.diagnostics);
  };

  test("a long secret path loads without a word", () => {
    expect(
      check(
        `  - { preset: slack, path: ${SLACK_PATH}, to: bob@localhost }\n  - { preset: mattermost, path: ${MM_PATH}, to: [a@localhost] }\n`,
      ),
    ).toEqual([]);
  });

  test("a short last segment is a warning, unless auth guards the route", () => {
    expect(
      check("  - { preset: mattermost, path: /hooks/x7f3kq, to: bob@localhost }\n  - { preset: slack, path: /s/, to: bob@localhost }\n"),
    ).toEqual([
      "r.yaml:3:33  warning  routes[0].path  the path is the only secret a webhook sender holds, and its last segment has 6 characters: end it with 16 or more random characters (openssl rand -hex 16), or set auth",
      "r.yaml:4:28  warning  routes[1].path  the path is the only secret a webhook sender holds, and it ends with /: end it with 16 or more random characters (openssl rand -hex 16), or set auth",
    ]);
  });

  test("a :param in the path, a recipient that is not a JID, an unknown auth, a path served twice and an unknown key are errors", () => {
    expect(
      check(
        [
          "  - { preset: slack, path: /slack/:secret, to: bob@localhost }",
          `  - { preset: slack, path: ${SLACK_PATH}, to: [bob@localhost, "not a jid"], auth: opz }`,
          `  - { preset: mattermost, path: ${SLACK_PATH}, to: bob@localhost, chanel: ops }`,
          "",
        ].join("\n"),
      ),
    ).toEqual([
      "r.yaml:3:28  error  routes[0].path  the path is the webhook's secret URL: it cannot have :params or a * tail",
      'r.yaml:4:83  error  routes[1].to[1]  "not a jid" is not a JID',
      'r.yaml:4:103  error  routes[1].auth  no auth scheme named "opz" (defined: none)',
      "r.yaml:5:33  error  routes[2].path  path /slack/T0/B0/Qm9u… is already served by routes[1]",
      "r.yaml:5:87  error  routes[2].chanel  unknown key",
    ]);
  });

  test("a misspelt preset name lists the formats among the known ones", () => {
    expect(check("  - { preset: slak, to: bob@localhost }\n")[0]).toContain('no preset named "slak" (did you mean "slack"?)');
  });
});
