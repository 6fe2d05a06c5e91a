// What a person sees, whatever format carried the message: one rule for titles with markup, for
// numbers where text is expected, for characters XML cannot carry, for link schemes, and the caps
// and limits a sender's odd input meets (formats review, findings 5, 8 and 13).
import { describe, expect, test } from "bun:test";
import { htmlText } from "../../src/features/apprise/html.ts";
import { appriseNotification } from "../../src/features/apprise/notification.ts";
import { readJsonPayload } from "../../src/features/apprise/read.ts";
import { plainText as discordText } from "../../src/features/discord/markup.ts";
import { checkPayload } from "../../src/features/discord/payload.ts";
import { notificationOf as discordNotification } from "../../src/features/discord/read.ts";
import { readGotifyMessage } from "../../src/features/gotify/read.ts";
import { readJsonPublish } from "../../src/features/ntfy/json-publish.ts";
import { notificationOf as ntfyNotification } from "../../src/features/ntfy/notification.ts";
import { paramsOf } from "../../src/features/ntfy/params.ts";
import { readPublish } from "../../src/features/ntfy/publish.ts";
import { readMessage as slackMessage } from "../../src/features/slack/read.ts";
import { messageCardNotification } from "../../src/features/teams/message-card.ts";
import { teamsNotification } from "../../src/features/teams/read.ts";
import { plainMarkdown } from "../../src/notify/markdown.ts";
import { hasText, notificationText } from "../../src/notify/render.ts";
import { GatewayError } from "../../src/plugin-api/errors.ts";

const ntfy = (headers: Record<string, string>, body = "x") =>
  notificationText(ntfyNotification(readPublish("backups", paramsOf(new Headers(headers), new URLSearchParams()), body)));
const codeOf = (run: () => unknown): string => {
  try {
    run();
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
  throw new Error("not refused");
};
/** Attachments off: a payload without files reads as before. */
const NO_FILES = { files: undefined, sender: "192.0.2.1" };

const rejection = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GatewayError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error("not refused");
};
const json = (body: unknown) =>
  new Request("http://gw/x", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("a title with markup is bold as a whole (finding 5)", () => {
  const title = "**T** [t](https://t.x)";

  test("ntfy with Markdown: the markers go, the link reads as in the text", () => {
    expect(ntfy({ Markdown: "yes", Title: title })).toBe("*T t (https://t.x)*\nx");
  });

  test("ntfy without Markdown shows the title as written: in bold, unless a star of its own would end the bold (XEP-0393 §6.2)", () => {
    expect(ntfy({ Title: "2 * 3" })).toBe("*2 * 3*\nx");
    expect(ntfy({ Title: "2 ** 3" })).toBe("2 ** 3\nx");
    expect(ntfy({ Title: "**T**" })).toBe("**T**\nx");
  });

  test("Discord's embed title: no `**` or heading left inside the bold, timestamps still dates", () => {
    const read = (t: string) => notificationText(discordNotification({ embeds: [{ title: t, color: 0xff0080 }] }));
    expect(read(title)).toBe("🟣 *T t (https://t.x)*");
    expect(read("# Deploy __now__ <t:0:F>")).toBe("🟣 *Deploy now 1970-01-01 00:00:00 UTC*");
  });

  test("Slack's header and attachment title: no bold span inside the bold either", () => {
    expect(notificationText(slackMessage({ attachments: [{ title: "**T** <https://t.x|t>", text: "x" }] }))).toBe("*T t (https://t.x)*\nx");
    expect(notificationText(slackMessage({ text: "x", blocks: [{ type: "header", text: "*FIRING* 2 * 3" }] }))).toBe("*FIRING 2 * 3*\nx");
  });

  test("Teams reads the same title the same way", () => {
    expect(notificationText(messageCardNotification({ "@type": "MessageCard", title }))).toBe("*T t (https://t.x)*");
  });
});

describe("a number or boolean where text is expected reads as JSON spells it (finding 8)", () => {
  test("Slack text, Teams MessageCard text, Discord content", () => {
    expect(notificationText(slackMessage({ text: 5 }))).toBe("5");
    expect(notificationText(teamsNotification({ shape: "connector", card: { "@type": "MessageCard", text: 5 } }))).toBe("5");
    const checked = checkPayload({ content: 5 });
    expect("message" in checked && checked.message.content).toBe("5");
  });

  test("Gotify message and title, Apprise's json:// message, ntfy's JSON message", async () => {
    expect(await readGotifyMessage(json({ message: 5, title: true }), 1000, {})).toMatchObject({ message: "5", title: "true" });
    expect(await readJsonPayload(json({ message: 5, title: 1.5 }), 1000, NO_FILES)).toMatchObject({ body: "5", title: "1.5" });
    expect(readJsonPublish(JSON.stringify({ topic: "t", message: 5 }), paramsOf(new Headers(), new URLSearchParams())).message).toBe("5");
  });

  test("an object or list there is the format's own error", async () => {
    expect(codeOf(() => slackMessage({ text: { a: 1 } }))).toBe("SLACK_INVALID_PAYLOAD");
    expect(await rejection(readGotifyMessage(json({ message: [1] }), 1000, {}))).toBe("BAD_REQUEST: Field 'message' must be a string");
    const checked = checkPayload({ content: [1] });
    expect("problems" in checked && checked.problems.map((p) => p.code)).toEqual(["BASE_TYPE_STRING"]);
  });
});

describe("characters XML cannot carry are refused in every format; replacement characters alone say nothing (finding 8)", () => {
  test("Slack and Mattermost refuse a control character, as the other formats do", () => {
    expect(codeOf(() => slackMessage({ text: "a\u0001b" }))).toBe("INVALID_XML_TEXT");
    expect(codeOf(() => slackMessage({ attachments: [{ title: "t\ud800" }] }))).toBe("INVALID_XML_TEXT");
  });

  test("a text of nothing but U+FFFD (bytes that were not UTF-8) is the format's no-text error, or shows nothing (NO_TEXT when sent)", async () => {
    expect(codeOf(() => slackMessage({ text: "\ufffd\ufffd " }))).toBe("SLACK_NO_TEXT");
    expect(hasText(teamsNotification({ shape: "connector", card: { "@type": "MessageCard", text: "\ufffd" } }))).toBe(false);
    expect(await rejection(readGotifyMessage(json({ message: "\ufffd" }), 1000, {}))).toStartWith("GOTIFY_NO_MESSAGE");
    expect(hasText(appriseNotification(await readJsonPayload(json({ message: "\ufffd\ufffd" }), 1000, NO_FILES)))).toBe(false);
  });
});

describe("links: only schemes a client opens become links, in every format (finding 8, 13)", () => {
  test("Markdown and Discord's masked links: any shown scheme, not only http; another scheme keeps its label", () => {
    expect(discordText("[m](mailto:ops@x.example) [x](xmpp:ops@x.example) [f](ftp://f.x)")).toBe(
      "m (mailto:ops@x.example) x (xmpp:ops@x.example) f",
    );
    expect(plainMarkdown("[run](javascript:void) [map](geo:1,2)")).toBe("run map (geo:1,2)");
    expect(htmlText('<a href="javascript:alert(1)">click</a>')).toBe("click");
  });

  test("ntfy's Click and view actions with javascript: are no link line", () => {
    expect(ntfy({ Click: "javascript:alert(1)", Actions: "view, Open, javascript:alert(2); view, Docs, https://d.example" })).toBe(
      "x\nDocs: https://d.example",
    );
  });

  test("a Slack button to javascript: is no link line either", () => {
    const blocks = [{ type: "actions", elements: [{ type: "button", text: "b", url: "javascript:x" }] }];
    expect(notificationText(slackMessage({ text: "t", blocks }))).toBe("t");
  });
});

describe("odd input meets the real service's limits (finding 13)", () => {
  test("Gotify's priority is a Go int: 1e20 is refused as Gotify refuses it", async () => {
    expect(await rejection(readGotifyMessage(json({ message: "m", priority: 1e20 }), 1000, {}))).toBe(
      "BAD_REQUEST: Field 'priority' must be an integer",
    );
  });

  test("Apprise html: the contents of <script> and <style> are not text", () => {
    expect(htmlText("<style>p{color:red}</style><p>up</p><script>alert(1)</script>again")).toBe("up\nagain");
  });

  test("Apprise json:// with 10,000 inline files is FILES_TOO_MANY before any is stored", async () => {
    const attachments = Array.from({ length: 10_000 }, (_, i) => ({ filename: `f${i}.txt`, base64: "eA==" }));
    expect(await rejection(readJsonPayload(json({ message: "m", attachments }), 1_000_000, NO_FILES))).toStartWith("FILES_TOO_MANY");
  });
});
