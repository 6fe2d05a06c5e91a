// A notification from any format (src/notify/) as a chat message: one text every format shares,
// one message per recipient, delivered; corrections (XEP-0308) and withdrawals (XEP-0424).
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { plainMarkdown, plainMarkdownTitle } from "../../src/notify/markdown.ts";
import { notificationText } from "../../src/notify/render.ts";
import { retractNotification, sendNotification } from "../../src/notify/send.ts";
import { collectingPorts } from "../helpers/notify-ports.ts";

describe("the text of a notification", () => {
  test("title in bold first, then the text, the fields and the links, one a line", () => {
    expect(
      notificationText({
        title: "Backup  done\n(nightly)",
        text: "  3 files copied ",
        badges: ["✅"],
        fields: [{ name: "host", value: "nas" }],
        links: [{ url: "https://nas/log", label: "Log" }, { url: "https://nas/" }],
      }),
    ).toBe("✅ *Backup done (nightly)*\n3 files copied\nhost: nas\nLog: https://nas/log\nhttps://nas/");
  });

  test("priority 4 and 5 are marked before everything; lower ones are not", () => {
    expect(notificationText({ text: "disk full", priority: 5 })).toBe("‼️\ndisk full");
    expect(notificationText({ title: "Disk", text: "full", priority: 4 })).toBe("❗ *Disk*\nfull");
    expect(notificationText({ title: "Disk", text: "full", priority: 3 })).toBe("*Disk*\nfull");
  });

  test("a title with a star that would end the bold (XEP-0393 §6.2: one not after whitespace) is shown as written, not wrapped", () => {
    expect(notificationText({ title: "**T**", text: "x", priority: 4 })).toBe("❗ **T**\nx");
    expect(notificationText({ title: "a*b", text: "x" })).toBe("a*b\nx");
    expect(notificationText({ title: "a-b", text: "x" })).toBe("*a-b*\nx");
  });

  test("a blank title is left out rather than shown as two stars", () => {
    expect(notificationText({ title: "  ", text: "hello" })).toBe("hello");
  });
});

describe("Markdown made plain", () => {
  test("links, images and strong emphasis, in the text and in a title", () => {
    expect(plainMarkdown("**Disk** __full__: [graph](https://g.example/1) ![x](https://i.example/x.png) <https://a.example/>")).toBe(
      "*Disk* *full*: graph (https://g.example/1) x (https://i.example/x.png) https://a.example/",
    );
    expect(plainMarkdownTitle("**Disk** full")).toBe("Disk full");
  });

  test("a URL may hold balanced parentheses (CommonMark §6.3): an unsafe one reads as its label, a safe one stays whole", () => {
    expect(plainMarkdown("[a](javascript:alert(1)) b [c](https://ok.x/(x))")).toBe("a b c (https://ok.x/(x))");
    expect(plainMarkdown('[Mercury](https://en.wikipedia.org/wiki/Mercury_(planet) "t")')).toBe(
      "Mercury (https://en.wikipedia.org/wiki/Mercury_(planet))",
    );
    // Parentheses that do not balance are no URL: the text stays as written.
    expect(plainMarkdown("[a](https://x.y/(b) [c](https://x.y/b))")).toBe("[a](https://x.y/(b) c (https://x.y/b))");
  });

  test("a megabyte of brackets and parentheses that never close a link is read in one pass", () => {
    for (const unit of ["(", "[](", "[a](b(c)", "[]((x)", "](", "[a]()"]) {
      const bomb = unit.repeat(Math.floor(1_000_000 / unit.length));
      expect(plainMarkdown(bomb)).toBe(bomb);
    }
    const groups = `[a](${"(x)".repeat(333_000)}`;
    expect(plainMarkdown(groups)).toBe(groups);
    expect(plainMarkdown(`[a](${"[b](x)".repeat(166_000)}`)).toBe(`[a](${"b".repeat(166_000)}`);
  });

  test("a megabyte of unclosed brackets or stars is read in one pass (no match attempt runs past the next delimiter)", () => {
    expect(plainMarkdown("[".repeat(1_000_000)).length).toBe(1_000_000);
    expect(plainMarkdown("**a ".repeat(250_000)).length).toBe(1_000_000);
    expect(plainMarkdown("__a ".repeat(250_000)).length).toBe(1_000_000);
  });
});

describe("sending it", () => {
  const ports = collectingPorts;

  test("one chat message per recipient, from the component, with its id as origin-id; queued when any was", async () => {
    const p = ports(["sent", "queued"]);
    const result = await sendNotification({ title: "T", text: "x" }, ["a@localhost", "b@localhost"], p);
    expect(result).toEqual({ outcome: "queued", ids: { "a@localhost": "id1", "b@localhost": "id2" } });
    expect(p.sent.map((s) => s.toString())).toEqual([
      '<message to="a@localhost" from="gw.localhost" id="id1" type="chat"><body>*T*\nx</body><origin-id xmlns="urn:xmpp:sid:0" id="id1"/></message>',
      '<message to="b@localhost" from="gw.localhost" id="id2" type="chat"><body>*T*\nx</body><origin-id xmlns="urn:xmpp:sid:0" id="id2"/></message>',
    ]);
  });

  test("a message too large for any one recipient refuses the whole notification before the first is delivered", async () => {
    const p = ports([], 260);
    const to = ["a@localhost", `${"b".repeat(100)}@localhost`];
    await expect(sendNotification({ text: "x".repeat(60) }, to, p)).rejects.toMatchObject({ code: "STANZA_TOO_LARGE", status: 413 });
    expect(p.sent).toEqual([]);
  });

  test("an update corrects the first message each recipient got (XEP-0308 §4)", async () => {
    const p = ports([]);
    await sendNotification({ text: "now 90%" }, ["a@localhost"], p, { "a@localhost": "first" });
    expect(p.sent[0]?.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe("first");
  });

  test("a withdrawal retracts each message, with a fallback body for clients without XEP-0424", async () => {
    const p = ports([]);
    const result = await retractNotification({ "a@localhost": "first" }, p);
    expect(result.outcome).toBe("sent");
    const stanza = p.sent[0] as Element;
    expect(stanza.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe("first");
    expect(stanza.getChild("fallback", "urn:xmpp:fallback:0")?.attrs.for).toBe("urn:xmpp:message-retract:1");
    expect(stanza.getChildText("body")).toBe("This message was withdrawn by its sender.");
  });
});
