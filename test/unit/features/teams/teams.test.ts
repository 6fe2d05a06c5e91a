// preset: teams: what `check` says of a route, how cards read, and what each shape answers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../../../src/features/index.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { adaptiveCardNotification } from "../../../../src/features/teams/adaptive-card.ts";
import { messageCardNotification } from "../../../../src/features/teams/message-card.ts";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }\n`;
const PATH = "/teams/x7f3kq9Lw2mZp4Qa";

describe("check", () => {
  test("warns, without refusing, when the path's last segment is shorter than 16 characters", () => {
    const result = loadConfig(`${HEAD}routes:\n  - { preset: teams, path: /teams/x7f3kq, to: ops@localhost }\n`, {}, BUILTIN_PLUGINS);
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.warnings).toEqual([
        {
          line: 3,
          col: 28,
          path: "routes[0].path",
          message:
            "the path is the only secret a webhook sender holds, and its last segment has 6 characters: end it with 16 or more random characters (openssl rand -hex 16), or set auth",
          severity: "warning",
        },
      ]);
  });

  test("a long secret segment, or an auth scheme, gives no warning", () => {
    for (const route of [
      `{ preset: teams, path: ${PATH}, to: ops@localhost }`,
      "{ preset: teams, path: /teams, auth: ops, to: ops@localhost }",
    ]) {
      const result = loadConfig(`${HEAD}auth:\n  ops: { kind: header, value: s3cret }\nroutes:\n  - ${route}\n`, {}, BUILTIN_PLUGINS);
      expect(result.ok && result.warnings).toEqual([]);
    }
  });

  test("a misspelt preset name is refused with the format suggested, among the known ones", () => {
    const result = loadConfig(`${HEAD}routes:\n  - { preset: temas, path: ${PATH}, to: ops@localhost }\n`, {}, BUILTIN_PLUGINS);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.diagnostics[0]?.message).toMatch(/^no preset named "temas" \(did you mean "teams"\?\) \(known: .*\bapprise, teams\b/);
  });

  test("refuses a route without a path, a recipient that is not a JID, and an auth scheme that does not exist", () => {
    const result = loadConfig(`${HEAD}routes:\n  - { preset: teams, to: [ops@localhost, "not a jid"], auth: nope }\n`, {}, BUILTIN_PLUGINS);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([
        "routes[0].path: required key missing",
        'routes[0].to[1]: "not a jid" is not a JID',
        'routes[0].auth: no auth scheme named "nope" (defined: none)',
      ]);
  });
});

describe("reading cards", () => {
  test("an Adaptive Card: the first bold TextBlock is the title, its color the badge; facts are fields, OpenUrl actions links", () => {
    const n = adaptiveCardNotification(
      [
        {
          type: "AdaptiveCard",
          body: [
            { type: "TextBlock", text: "Backup **failed**", weight: "Bolder", color: "Attention" },
            { type: "RichTextBlock", inlines: ["on ", { type: "TextRun", text: "nas01" }] },
            { type: "FactSet", facts: [{ title: "Log", value: "[tail](https://nas01.example/log)" }] },
            { type: "ImageSet", images: [{ type: "Image", url: "https://img.example/graph.png", altText: "graph" }] },
          ],
          actions: [
            { type: "Action.OpenUrl", title: "Open", url: "https://nas01.example" },
            { type: "Action.Submit", title: "Ack" },
          ],
        },
      ],
      "ignored: the card has a title",
    );
    expect(n).toEqual({
      title: "Backup failed",
      text: "on nas01",
      badges: ["🔴"],
      fields: [{ name: "Log", value: "tail (https://nas01.example/log)" }],
      links: [
        { url: "https://img.example/graph.png", label: "graph" },
        { url: "https://nas01.example", label: "Open" },
      ],
    });
  });

  test("a card without a heading is titled by the message's summary; ShowCard's inner card is read too", () => {
    const n = adaptiveCardNotification(
      [
        {
          type: "AdaptiveCard",
          body: [{ type: "TextBlock", text: "plain line" }],
          actions: [{ type: "Action.ShowCard", card: { body: [{ type: "TextBlock", text: "details" }] } }],
        },
      ],
      "Nightly report",
    );
    expect([n.title, n.text]).toEqual(["Nightly report", "plain line\ndetails"]);
  });

  test("a MessageCard: title, text, sections' lines and facts, OpenUri and ViewAction links, themeColor as a badge", () => {
    const n = messageCardNotification({
      "@type": "MessageCard",
      title: "Deploy",
      summary: "Deploy",
      text: "Version **2.1** is live",
      themeColor: "2DC72D",
      sections: [
        {
          activityTitle: "by alice",
          facts: [{ name: "Env", value: "prod" }],
          images: [{ image: "https://i.example/a.png", title: "chart" }],
        },
      ],
      potentialAction: [
        {
          "@type": "OpenUri",
          name: "Open",
          targets: [
            { os: "android", uri: "app://x" },
            { os: "default", uri: "https://ci.example/1" },
          ],
        },
        { "@type": "ViewAction", name: "Log", target: ["https://ci.example/1/log"] },
      ],
    });
    expect(n).toEqual({
      title: "Deploy",
      text: "Version *2.1* is live\nby alice",
      badges: ["🟢"],
      fields: [{ name: "Env", value: "prod" }],
      links: [
        { url: "https://i.example/a.png", label: "chart" },
        { url: "https://ci.example/1", label: "Open" },
        { url: "https://ci.example/1/log", label: "Log" },
      ],
    });
  });

  test("themeColor: hues become colored circles, greys none", () => {
    const badge = (themeColor: string) => messageCardNotification({ "@type": "MessageCard", themeColor, text: "t" }).badges?.[0];
    expect(["FF0000", "#FFA500", "00e804", "0078D7", "808080", "nope"].map(badge)).toEqual(["🔴", "🟠", "🟢", "🔵", undefined, undefined]);
  });
});

describe("answers", () => {
  let gw: FakeGateway;
  beforeAll(async () => {
    gw = await fakeGateway(
      `auth:\n  grafana: { kind: basic, users: {} }\nroutes:\n  - { preset: teams, path: ${PATH}, to: bob@localhost }\n  - { preset: teams, path: /teams/guarded, auth: grafana, to: bob@localhost }\n`,
    );
  });
  afterAll(() => gw.stop());
  const post = (body: string, path = PATH) => gw.request(path, { method: "POST", headers: { "content-type": "application/json" }, body });

  test("a Workflows message is 202 with no body; a MessageCard 200 with the body 1", async () => {
    const workflows = await post(
      '{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","body":[{"type":"TextBlock","text":"hi"}]}}]}',
    );
    expect([workflows.status, await workflows.text()]).toEqual([202, ""]);
    const legacy = await post('{"@type":"MessageCard","text":"hi"}');
    expect([legacy.status, await legacy.text(), legacy.headers.get("content-type")]).toEqual([200, "1", "text/plain; charset=utf-8"]);
    expect(
      gw
        .stanzas()
        .slice(-2)
        .map((s) => s.getChildText("body")),
    ).toEqual(["hi", "hi"]);
  });

  test("a card Teams would refuse is 400 in the sender's shape, and nothing is sent", async () => {
    const before = gw.stanzas().length;
    const empty = await post('{"@type":"MessageCard","themeColor":"FF0000"}');
    expect([empty.status, await empty.text()]).toEqual([400, "Summary or Text is required."]);
    const notACard = await post('{"text":"a Slack payload"}');
    expect(notACard.status).toBe(400);
    expect(((await notACard.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: "INVALID_BODY",
      message:
        'Expected a Workflows message ({"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": {...}}]}) or a MessageCard ("@type": "MessageCard")',
    });
    const broken = await post('{"type":"message",');
    expect([broken.status, ((await broken.json()) as { error: { code: string } }).error.code]).toEqual([400, "INVALID_JSON"]);
    expect(gw.stanzas().length).toBe(before);
  });

  test("the secret path is never logged nor a metric label: its last segment is hidden", async () => {
    await post('{"@type":"MessageCard","text":"logged?"}');
    const metrics = await (await gw.request("/metrics")).text();
    expect(JSON.stringify(gw.logs)).not.toContain("x7f3kq9Lw2mZp4Qa");
    expect(metrics).not.toContain("x7f3kq9Lw2mZp4Qa");
    expect(metrics).toContain('route="/teams/x7f3…"');
    const get = await gw.request(PATH);
    // In the Workflows shape, as every refusal of the route.
    expect([get.status, ((await get.json()) as { error: { message: string } }).error.message]).toEqual([
      405,
      "/teams/x7f3… does not accept GET",
    ]);
    expect(JSON.stringify(gw.logs)).not.toContain("x7f3kq9Lw2mZp4Qa");
  });

  test("/openapi.json leaves the route out: its path is the webhook's secret", async () => {
    const doc = await (await gw.request("/openapi.json")).text();
    expect(doc).not.toContain("x7f3kq9Lw2mZp4Qa");
    expect(doc).not.toContain("/teams/guarded");
  });

  test("behind an auth scheme, a request without credentials is 401 and nothing is sent", async () => {
    const before = gw.stanzas().length;
    const res = await post('{"@type":"MessageCard","text":"hi"}', "/teams/guarded");
    expect(res.status).toBe(401);
    expect(gw.stanzas().length).toBe(before);
  });
});
