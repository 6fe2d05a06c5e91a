// preset: slack and preset: mattermost, in-process: what each payload shape reads as, how links and
// styling become text a client shows, the golden message of every recorded sender payload (written
// only by `make golden`, STANZAGATE_GOLDEN=write), the answers senders check, and bad input refused
// in the vendor's own error shape with nothing sent.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { GatewayError } from "../../src/errors.ts";
import { colorBadge } from "../../src/features/slack/colors.ts";
import { webhookHandler, type WebhookDeps } from "../../src/features/slack/handler.ts";
import { plainText } from "../../src/features/slack/mrkdwn.ts";
import { readMessage } from "../../src/features/slack/read.ts";
import type { FormatRouteConfig } from "../../src/features/slack/schema.ts";
import { notificationText } from "../../src/notify/render.ts";
import { formatLines } from "../../src/config/diagnostics.ts";
import { loadConfig } from "../../src/features/index.ts";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { fakeGateway } from "../helpers/fake-gateway.ts";
import { formatFixtures } from "../helpers/format-fixtures.ts";

const shown = (payload: Record<string, unknown>) => notificationText(readMessage(payload));
const refusal = (payload: Record<string, unknown>) => {
  try {
    readMessage(payload);
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
  }
  throw new Error("not refused");
};

describe("links and styling as text clients make clickable", () => {
  test("Slack's <url|label> is the label and the URL in angle brackets (RFC 3986 Appendix C); <url> the URL", () => {
    expect(plainText("see <https://x.example/run/1|run 1> or <https://x.example/log>")).toBe(
      "see run 1 <https://x.example/run/1> or https://x.example/log",
    );
  });

  test("a label that only repeats the URL or the address is left out", () => {
    expect(plainText("<https://x.example/|x.example> <mailto:ana@x.example|ana@x.example>")).toBe(
      "https://x.example/ mailto:ana@x.example",
    );
  });

  test("mentions, broadcasts and dates read as their names", () => {
    expect(
      plainText("<!here> <!channel|channel> <!subteam^S1|@ops> <@U024BE7LH> <@U1|ana> <#C1|alerts> <!date^1392734382^{date}|Feb 18>"),
    ).toBe("@here @channel @ops @U024BE7LH @ana #alerts Feb 18");
  });

  test("Slack's three escapes are undone after the links are read", () => {
    expect(plainText("a &lt;b&gt; &amp; <https://x.example/?a=1&amp;b=2|q>")).toBe("a <b> & q <https://x.example/?a=1&b=2>");
  });

  test("Markdown links and images (Mattermost) become label <url>", () => {
    expect(plainText("[#42](https://git.example/p/42) ![graph](https://g.example/p.png)")).toBe(
      "#42 <https://git.example/p/42> graph <https://g.example/p.png>",
    );
  });

  test("Markdown **strong** and __strong__ are XEP-0393 *strong*; Slack's *bold* and _italic_ stay; ~~x~~ is ~x~", () => {
    expect(plainText("**Firing** __now__ *bold* _it_ ~~old~~")).toBe("*Firing* *now* *bold* _it_ ~old~");
  });

  test("a character XML cannot carry is shown as U+FFFD, CRLF as one line break", () => {
    expect(plainText("a\u0000b\uffffc\ud800\r\nd")).toBe("a\ufffdb\ufffdc\ufffd\nd");
  });

  test("a megabyte of brackets and stars is read in one pass", () => {
    expect(plainText("[".repeat(1_000_000)).length).toBe(1_000_000);
    expect(plainText("**a ".repeat(250_000)).length).toBe(1_000_000);
  });
});

describe("colors as a badge", () => {
  test("Slack's names and hex colors by hue; greys have none", () => {
    expect(
      ["danger", "warning", "good", "#D63232", "#e01e5a", "#32CD32", "#FF0000", "#36a64f", "#439FE0", "#DAA038"].map(colorBadge),
    ).toEqual(["🔴", "🟠", "🟢", "🔴", "🔴", "🟢", "🔴", "🟢", "🔵", "🟠"]);
    expect([undefined, "#888888", "#000", "#fff", "blue-ish", 12].map(colorBadge)).toEqual(Array(6).fill(undefined));
  });
});

describe("reading a payload", () => {
  test("text alone is the message", () => {
    expect(shown({ text: "disk *full* on <https://nas01.example|nas01>" })).toBe("disk *full* on nas01 <https://nas01.example>");
  });

  test("without text, the first attachment's title is the title, its color the badge and its title_link a link", () => {
    expect(
      shown({
        attachments: [{ title: "DiskFull", title_link: "https://am.example/", text: "", fallback: "DiskFull | x", color: "danger" }],
      }),
    ).toBe("🔴 *DiskFull*\nhttps://am.example/");
  });

  test("an attachment reads in Slack's order: pretext, author, title, text, fields, blocks, images, footer", () => {
    expect(
      shown({
        text: "Deploy",
        attachments: [
          {
            pretext: "<!here>",
            author_name: "ci",
            title: "api v2",
            title_link: "https://ci.example/9",
            text: "all green",
            fields: [
              { title: "Env", value: "prod", short: true },
              { title: "", value: "no title" },
              { title: "Took", value: 93 },
            ],
            blocks: [{ type: "context", elements: [{ type: "mrkdwn", text: "by *ana*" }] }],
            image_url: "https://ci.example/graph.png",
            footer: "CI 4.1",
          },
        ],
      }),
    ).toBe(
      "Deploy\n@here\nci\n*api v2*\nall green\nEnv: prod\nno title\nTook: 93\nby *ana*\nCI 4.1\napi v2: https://ci.example/9\nhttps://ci.example/graph.png",
    );
  });

  test("an attachment's fallback is shown only where nothing else of it says anything", () => {
    expect(shown({ text: "x", attachments: [{ fallback: "only this", image_url: "https://i.example/a.png" }] })).toBe(
      "x\nonly this\nhttps://i.example/a.png",
    );
  });

  test("the first header block is the title, even inside an attachment; the badge leads the text when there is no title", () => {
    expect(
      shown({
        text: "down",
        attachments: [{ color: "danger", blocks: [{ type: "header", text: { type: "plain_text", text: "nas01" } }] }],
      }),
    ).toBe("🔴 *nas01*\ndown");
    expect(shown({ text: "down", attachments: [{ color: "danger", text: "more" }] })).toBe("🔴 down\nmore");
  });

  test("blocks: section text and fields, context joined, divider a blank line, buttons and images as links, rich_text", () => {
    expect(
      shown({
        blocks: [
          { type: "section", text: { type: "plain_text", text: "*not bold* <x>" }, fields: [{ type: "mrkdwn", text: "*CPU*\n97%" }] },
          { type: "divider" },
          {
            type: "context",
            elements: [
              { type: "image", image_url: "https://i/x.png", alt_text: "logo" },
              { type: "mrkdwn", text: "v1" },
            ],
          },
          { type: "image", image_url: "https://i.example/g.png", alt_text: "graph" },
          {
            type: "actions",
            elements: [
              { type: "button", text: { type: "plain_text", text: "Open" }, url: "https://o.example/" },
              { type: "static_select" },
            ],
          },
          {
            type: "rich_text",
            elements: [
              {
                type: "rich_text_section",
                elements: [
                  { type: "text", text: "hi " },
                  { type: "emoji", name: "fire", unicode: "1f525" },
                  { type: "link", url: "https://l.example/", text: "l" },
                ],
              },
              { type: "rich_text_list", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "one" }] }] },
            ],
          },
          { type: "input", label: { type: "plain_text", text: "never shown" } },
        ],
      }),
    ).toBe(
      "*not bold* <x>\n*CPU*\n97%\n\nlogo · v1\nhi 🔥l <https://l.example/>\n• one\ngraph: https://i.example/g.png\nOpen: https://o.example/",
    );
  });

  test("username, icons and channel are not shown (the message comes from the gateway's address)", () => {
    expect(shown({ text: "hi", username: "Grafana", icon_emoji: ":ghost:", icon_url: null, channel: "#ops" })).toBe("hi");
  });

  test("text past Slack's 40,000 characters is cut there, saying so", () => {
    const text = shown({ text: "a".repeat(50_000) });
    expect(text).toBe(`${"a".repeat(40_000)}…`);
  });

  test("nothing that says anything is no_text: {}, empty text, a colored attachment, a divider, a lone image", () => {
    for (const payload of [
      {},
      { text: "  " },
      { text: null, attachments: [] },
      { attachments: [{ color: "danger", text: "", fallback: "" }] },
      { blocks: [{ type: "divider" }] },
      { attachments: [{ image_url: "https://i.example/a.png" }] },
    ])
      expect(refusal(payload)).toBe("SLACK_NO_TEXT");
  });

  test("more than 50 blocks (10,000 too), blocks that are not a list, 101 attachments and a text that is an object are refused", () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: "section", text: { type: "mrkdwn", text: "x" } }));
    expect(shown({ blocks: blocks(50) })).toBe(Array(50).fill("x").join("\n"));
    expect(refusal({ blocks: blocks(51) })).toBe("SLACK_INVALID_BLOCKS");
    expect(refusal({ blocks: blocks(10_000) })).toBe("SLACK_INVALID_BLOCKS");
    expect(refusal({ attachments: [{ blocks: blocks(51) }] })).toBe("SLACK_INVALID_BLOCKS");
    expect(refusal({ text: "x", blocks: { type: "section" } })).toBe("SLACK_INVALID_BLOCKS");
    expect(refusal({ attachments: Array(101).fill({ text: "x" }) })).toBe("SLACK_TOO_MANY_ATTACHMENTS");
    expect(refusal({ attachments: "[]" })).toBe("SLACK_INVALID_ATTACHMENTS");
    expect(refusal({ text: { a: 1 } })).toBe("SLACK_INVALID_PAYLOAD");
  });
});

describe("golden messages of the recorded sender payloads", () => {
  for (const format of ["slack", "mattermost"])
    for (const f of formatFixtures(format))
      test(`${format}/${f.file}`, async () => {
        const actual = `${shown(await f.json())}\n`;
        if (process.env.STANZAGATE_GOLDEN === "write") await Bun.write(f.golden, actual);
        expect(actual).toBe(await Bun.file(f.golden).text());
      });
});

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
  test("Slack: 200 and exactly `ok` in text/plain once delivered, from JSON or from a form's payload=", async () => {
    const gw = await fakeGateway(ROUTES);
    try {
      const res = await gw.request(SLACK_PATH, json({ text: "one" }));
      expect([res.status, res.headers.get("content-type"), await res.text()]).toEqual([200, "text/plain; charset=utf-8", "ok"]);
      const form = await gw.request(SLACK_PATH, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `payload=${encodeURIComponent(JSON.stringify({ text: "two <https://x.example|x>" }))}`,
      });
      expect([form.status, await form.text()]).toEqual([200, "ok"]);
      expect(bodies(gw.stanzas())).toEqual([
        ["bob@localhost", "one"],
        ["bob@localhost", "two x <https://x.example>"],
      ]);
    } finally {
      await gw.stop();
    }
  });

  test("Mattermost: 200 ok, one message to each recipient, JSON read whatever the Content-Type", async () => {
    const gw = await fakeGateway(ROUTES);
    try {
      const res = await gw.request(MM_PATH, { method: "POST", body: '{"text":"**deploy** done"}' });
      expect([res.status, await res.text()]).toEqual([200, "ok"]);
      expect(bodies(gw.stanzas())).toEqual([
        ["bob@localhost", "*deploy* done"],
        ["alice@localhost", "*deploy* done"],
      ]);
    } finally {
      await gw.stop();
    }
  });

  test("Slack's errors are its plain-text strings, and nothing is sent", async () => {
    const gw = await fakeGateway(ROUTES);
    try {
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
      expect(gw.stanzas()).toEqual([]);
    } finally {
      await gw.stop();
    }
  });

  test("Mattermost's errors are its AppError JSON, and nothing is sent", async () => {
    const gw = await fakeGateway(ROUTES);
    try {
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
      expect(gw.stanzas()).toEqual([]);
    } finally {
      await gw.stop();
    }
  });

  test("a route with auth takes its token and refuses a request without one (invalid_token)", async () => {
    const gw = await fakeGateway(ROUTES);
    try {
      const refused = await gw.request("/slack/guarded", json({ text: "x" }));
      expect([refused.status, await refused.text()]).toEqual([401, "invalid_token"]);
      const init = json({ text: "guarded" });
      const res = await gw.request("/slack/guarded", {
        ...init,
        headers: { ...init.headers, authorization: "Bearer ops-token-0123456789" },
      });
      expect([res.status, await res.text()]).toEqual([200, "ok"]);
      expect(bodies(gw.stanzas())).toEqual([["bob@localhost", "guarded"]]);
    } finally {
      await gw.stop();
    }
  });

  test("the secret paths are left out of /openapi.json", async () => {
    const gw = await fakeGateway(ROUTES);
    try {
      const doc = await (await gw.request("/openapi.json")).text();
      expect(doc).not.toContain("/slack/");
      expect(doc).not.toContain("/hooks/");
    } finally {
      await gw.stop();
    }
  });
});

describe("nothing half-sent", () => {
  const route: FormatRouteConfig = {
    kind: "slack",
    at: "routes[0]",
    path: "/s",
    method: "POST",
    auth: undefined,
    to: ["bob@localhost", `${"a".repeat(300)}@localhost`],
  };
  const deps = (sent: Element[]): WebhookDeps => ({
    auth: undefined,
    component: "gw.localhost",
    newId: () => "id",
    deliver: async (stanza) => (sent.push(stanza), "sent"),
    maxBodyBytes: 1_000_000,
    maxStanzaBytes: 1_024,
  });
  const post = (sent: Element[], text: string) =>
    webhookHandler(route, deps(sent))({ request: new Request("http://gw/s", json({ text })), params: {}, ip: "127.0.0.1" });

  test("a message that would fit the short address but not the long one is refused before either gets it", async () => {
    const sent: Element[] = [];
    const res = await post(sent, "x".repeat(500));
    expect([res.status, await res.text()]).toEqual([413, "msg_too_long"]);
    expect(sent).toEqual([]);
  });

  test("a message that fits both goes to both", async () => {
    const sent: Element[] = [];
    expect((await post(sent, "x".repeat(100))).status).toBe(200);
    expect(sent.map((s) => s.attrs.to)).toEqual([...route.to]);
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
      'r.yaml:3:33  warning  routes[0].path  the path is the only secret a webhook sender holds, and its last segment "x7f3kq" has 6 characters: end it with 16 or more random characters (openssl rand -hex 16), or set auth',
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
      "r.yaml:5:33  error  routes[2].path  path /slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x is already served by routes[1]",
      "r.yaml:5:87  error  routes[2].chanel  unknown key",
    ]);
  });

  test("a misspelt preset name lists the formats among the known ones", () => {
    expect(check("  - { preset: slak, to: bob@localhost }\n")[0]).toContain('no preset named "slak" (did you mean "slack"?)');
  });
});
