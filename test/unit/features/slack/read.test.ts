// preset: slack and preset: mattermost, reading: what each payload shape reads as and how links and
// styling become text a client shows. The routes: routes.test.ts; the recorded senders: golden.test.ts.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import { plainText } from "../../../../src/features/slack/mrkdwn.ts";
import { readMessage } from "../../../../src/features/slack/read.ts";
import { notificationText } from "../../../../src/notify/render.ts";

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
  test("Slack's <url|label> is the label and the URL in parentheses, as in every format; <url> the URL", () => {
    expect(plainText("see <https://x.example/run/1|run 1> or <https://x.example/log>")).toBe(
      "see run 1 (https://x.example/run/1) or https://x.example/log",
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
    expect(plainText("a &lt;b&gt; &amp; <https://x.example/?a=1&amp;b=2|q>")).toBe("a <b> & q (https://x.example/?a=1&b=2)");
  });

  test("Markdown links and images (Mattermost) become label (url)", () => {
    expect(plainText("[#42](https://git.example/p/42) ![graph](https://g.example/p.png)")).toBe(
      "#42 (https://git.example/p/42) graph (https://g.example/p.png)",
    );
  });

  test("Markdown **strong** and __strong__ are XEP-0393 *strong*; Slack's *bold* and _italic_ stay; ~~x~~ is ~x~", () => {
    expect(plainText("**Firing** __now__ *bold* _it_ ~~old~~")).toBe("*Firing* *now* *bold* _it_ ~old~");
  });

  test("CRLF is one line break", () => {
    expect(plainText("a\r\nb\rc")).toBe("a\nb\nc");
  });

  test("a megabyte of brackets and stars is read in one pass", () => {
    expect(plainText("[".repeat(1_000_000)).length).toBe(1_000_000);
    expect(plainText("**a ".repeat(250_000)).length).toBe(1_000_000);
  });
});

describe("colors as a badge", () => {
  const badge = (color: unknown) => readMessage({ text: "t", attachments: [{ color, text: "a" }] }).text.split(/\s/)[0];
  test("Slack's names and hex colors by hue (notify/color.ts); greys have none", () => {
    expect(["danger", "warning", "good", "#D63232", "#e01e5a", "#32CD32", "#FF0000", "#36a64f", "#439FE0", "#DAA038"].map(badge)).toEqual([
      "🔴",
      "🟠",
      "🟢",
      "🔴",
      "🔴",
      "🟢",
      "🔴",
      "🟢",
      "🔵",
      "🟠",
    ]);
    expect([undefined, "#888888", "#000", "#fff", "blue-ish", 12, "constructor"].map(badge)).toEqual(Array(7).fill("t"));
  });
});

describe("reading a payload", () => {
  test("text alone is the message", () => {
    expect(shown({ text: "disk *full* on <https://nas01.example|nas01>" })).toBe("disk *full* on nas01 (https://nas01.example)");
  });

  test("without text, the first attachment's title is the title, its color the badge and its title_link a link", () => {
    expect(
      shown({
        attachments: [{ title: "DiskFull", title_link: "https://am.example/", text: "", fallback: "DiskFull | x", color: "danger" }],
      }),
    ).toBe("🔴 *DiskFull*\nhttps://am.example/");
  });

  test("an attachment reads in Slack's order: pretext, author, title, text, fields, blocks, footer (its images are attachments)", () => {
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
    ).toBe("Deploy\n@here\nci\n*api v2*\nall green\nEnv: prod\nno title\nTook: 93\nby *ana*\nCI 4.1\napi v2: https://ci.example/9");
  });

  test("an attachment's fallback is shown only where nothing else of it says anything", () => {
    expect(shown({ text: "x", attachments: [{ fallback: "only this", image_url: "https://i.example/a.png" }] })).toBe("x\nonly this");
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

  test("blocks: section text and fields, context joined, divider a blank line, buttons as links, rich_text (images are attachments)", () => {
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
    ).toBe("*not bold* <x>\n*CPU*\n97%\n\nlogo · v1\nhi 🔥l (https://l.example/)\n• one\nOpen: https://o.example/");
  });

  test("images are the notification's attachments, each once, in order, named by title or alt text (issue 21)", () => {
    const n = readMessage({
      text: "cameras",
      blocks: [
        { type: "image", image_url: "https://cam.example/door.jpg", alt_text: "door", title: { type: "plain_text", text: "Front door" } },
        {
          type: "section",
          text: { type: "mrkdwn", text: "yard" },
          accessory: { type: "image", image_url: "https://cam.example/yard.jpg", alt_text: "yard" },
        },
      ],
      attachments: [
        { text: "graph", image_url: "https://g.example/p.png", thumb_url: "https://g.example/t.png" },
        { image_url: "https://cam.example/door.jpg" },
      ],
    });
    expect(n.attachments).toEqual([
      { kind: "link", url: "https://cam.example/door.jpg", name: "Front door" },
      { kind: "link", url: "https://cam.example/yard.jpg", name: "yard" },
      { kind: "link", url: "https://g.example/p.png" },
      { kind: "link", url: "https://g.example/t.png" },
    ]);
  });

  test("username, icons and channel are not shown (the message comes from the gateway's address)", () => {
    expect(shown({ text: "hi", username: "Grafana", icon_emoji: ":ghost:", icon_url: null, channel: "#ops" })).toBe("hi");
  });

  test("text past Slack's 40,000 characters is cut there, saying so", () => {
    const text = shown({ text: "a".repeat(50_000) });
    expect(text).toBe(`${"a".repeat(40_000)}…`);
  });

  test("nothing that says anything is no_text: {}, empty text, a colored attachment, a divider (a lone image is a picture)", () => {
    for (const payload of [
      {},
      { text: "  " },
      { text: null, attachments: [] },
      { attachments: [{ color: "danger", text: "", fallback: "" }] },
      { blocks: [{ type: "divider" }] },
    ])
      expect(refusal(payload)).toBe("SLACK_NO_TEXT");
    // Issue 21: the picture is the message, sent without a text message before it.
    expect(readMessage({ attachments: [{ image_url: "https://i.example/a.png" }] })).toMatchObject({
      text: "",
      attachments: [{ kind: "link", url: "https://i.example/a.png" }],
    });
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
