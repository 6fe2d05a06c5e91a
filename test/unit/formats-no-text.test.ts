// One "no text" check for every sender format (review 2, N5): what a client would be shown is
// checked after unsafe links are dropped and markup made plain, and a message that shows nothing
// is each format's own "empty" refusal with nothing sent (ntfy: its `triggered`, as ntfy does).
// Also the Apprise API's `body` rule (N12), and one size check for Slack and the others.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../helpers/fake-gateway.ts";

const TOKEN = "AGhVjJ3kKc0d.zm";
const SLACK = "/slack/T0/B0/Zx9fK2mQ7rT4vW8yB3nD";
const MATTERMOST = "/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e";
const DISCORD = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const TEAMS = "/teams/5d41402abc4b2a76b9719d91aaaa";
const ROUTES = `auth:
  apps: { kind: bearer, tokens: [{ token: "${TOKEN}", name: backups }] }
routes:
  - { preset: slack, path: ${SLACK}, to: bob@localhost }
  - { preset: mattermost, path: ${MATTERMOST}, to: bob@localhost }
  - { preset: discord, path: ${DISCORD}, to: bob@localhost }
  - { preset: teams, path: ${TEAMS}, to: bob@localhost }
  - { preset: gotify, path: /gotify/, to: bob@localhost, auth: apps }
  - { preset: apprise, path: /apprise/, to: bob@localhost }
  - { preset: ntfy, path: /ntfy, to: bob@localhost }
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  gw.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** The answer's status and body, and how many messages went out meanwhile. */
async function answer(res: Promise<Response>): Promise<{ status: number; body: string; sent: number }> {
  const before = gw.stanzas().length;
  const r = await res;
  return { status: r.status, body: await r.text(), sent: gw.stanzas().length - before };
}

const bodyOf = (s: string) => JSON.parse(s) as Record<string, unknown>;

describe("a message that shows nothing once unsafe links and markup are dropped is the format's own 'no text'", () => {
  test("Discord: an embed whose only link or image is javascript: is 50006, nothing sent", async () => {
    for (const embed of [{ url: "javascript:x" }, { image: { url: "javascript:x" } }, { thumbnail: { url: "javascript:x" } }]) {
      const a = await answer(post(DISCORD, { embeds: [embed] }));
      expect([a.status, bodyOf(a.body), a.sent]).toEqual([400, { message: "Cannot send an empty message", code: 50006 }, 0]);
    }
  });

  test("Teams: a card whose only action or image is javascript: is INVALID_BODY in its shape, nothing sent", async () => {
    const action = { type: "AdaptiveCard", body: [], actions: [{ type: "Action.OpenUrl", title: "", url: "javascript:x" }] };
    const image = { type: "AdaptiveCard", body: [{ type: "Image", url: "javascript:x" }] };
    for (const card of [action, image]) {
      const a = await answer(post(TEAMS, card));
      expect([a.status, a.sent]).toEqual([400, 0]);
      expect(bodyOf(a.body)).toMatchObject({
        error: { code: "INVALID_BODY", message: "The Adaptive Card has no text, fact, image or link to show" },
      });
    }
    const connector = await answer(
      post(TEAMS, {
        "@type": "MessageCard",
        potentialAction: [{ "@type": "OpenUri", name: "", targets: [{ os: "default", uri: "javascript:x" }] }],
      }),
    );
    expect([connector.status, connector.body, connector.sent]).toEqual([400, "Summary or Text is required.", 0]);
  });

  test("Apprise: Markdown or HTML that strips to nothing is 'the notification is empty', nothing sent", async () => {
    for (const [body, format] of [
      ["\u200b\u2060\ufeff", "text"],
      ["[](javascript:x)", "markdown"],
      ["<script>x</script>", "html"],
      ["<p> </p>", "html"],
    ]) {
      const a = await answer(post("/apprise/notify/k", { body, format, type: "failure" }));
      expect([a.status, a.body, a.sent]).toEqual([400, "body the notification is empty", 0]);
    }
    const json = await answer(post("/apprise/", { version: "1.0", title: "", message: "\ufffd\ufffd", type: "info" }));
    expect([json.status, bodyOf(json.body).code, json.sent]).toEqual([400, "INVALID_BODY", 0]);
  });

  test("Gotify: a message of nothing but U+FFFD is its 'message is required'; a link to nowhere leaves the title (the app's name)", async () => {
    const a = await answer(post("/gotify/message", { message: "\ufffd" }, { "x-gotify-key": TOKEN }));
    expect([a.status, bodyOf(a.body), a.sent]).toEqual([
      400,
      { error: "Bad Request", errorCode: 400, errorDescription: "Field 'message' is required" },
      0,
    ]);
    const markdown = { message: "[](javascript:x)", extras: { "client::display": { contentType: "text/markdown" } } };
    const titled = await answer(post("/gotify/message", markdown, { "x-gotify-key": TOKEN }));
    expect([titled.status, titled.sent]).toEqual([200, 1]);
    expect(gw.stanzas().at(-1)?.getChildText("body")).toBe("*backups*");
  });

  test("Slack and Mattermost: no_text and Mattermost's text.app_error, as before", async () => {
    const slack = await answer(post(SLACK, { attachments: [{ image_url: "javascript:x" }] }));
    expect([slack.status, slack.body, slack.sent]).toEqual([400, "no_text", 0]);
    const mm = await answer(post(MATTERMOST, { text: "\ufffd" }));
    expect([mm.status, bodyOf(mm.body).id, mm.sent]).toEqual([400, "web.incoming_webhook.text.app_error", 0]);
  });

  test("ntfy: Markdown that strips to nothing reads as ntfy's empty message, 'triggered'", async () => {
    const a = await answer(post("/ntfy/backups", "[](javascript:x)", { "content-type": "text/plain", markdown: "yes" }));
    expect([a.status, a.sent]).toEqual([200, 1]);
    expect(gw.stanzas().at(-1)?.getChildText("body")).toBe("triggered");
  });
});

describe("the Apprise API needs a body, as apprise-api's NotifyView does (N12)", () => {
  test("a title without a body is 400 'Payload lacks minimum requirements'; json:// may carry a title alone", async () => {
    for (const init of [
      { headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "T" }) },
      { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "title=T" },
    ]) {
      const a = await answer(gw.request("/apprise/notify/k", { method: "POST", ...init }));
      expect([a.status, a.body, a.sent]).toEqual([400, "Payload lacks minimum requirements", 0]);
    }
    // An attachment is enough: the title's message, then the link's (issue 21).
    const withFile = await answer(post("/apprise/notify/k", { title: "T", attach: "https://f.example/df.txt" }));
    expect([withFile.status, withFile.sent]).toEqual([200, 2]);
    const json = await answer(post("/apprise/", { version: "1.0", title: "T", message: "", type: "info" }));
    expect([json.status, json.sent]).toEqual([201, 1]);
    expect(gw.stanzas().at(-1)?.getChildText("body")).toBe("*T*");
  });
});

describe("multipart: only the fields a format reads are decoded (N13)", () => {
  /** A multipart body by hand: `fields` as raw bytes, so one can be Latin-1. */
  function multipart(fields: Record<string, Uint8Array | string>): RequestInit {
    const boundary = "b0undary";
    const chunks: Uint8Array[] = [];
    const enc = new TextEncoder();
    for (const [name, value] of Object.entries(fields)) {
      chunks.push(enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`));
      chunks.push(typeof value === "string" ? enc.encode(value) : value);
      chunks.push(enc.encode("\r\n"));
    }
    chunks.push(enc.encode(`--${boundary}--\r\n`));
    return { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, body: Buffer.concat(chunks) };
  }
  const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1: not UTF-8

  test("a field the format ignores may hold any bytes; one it reads must be UTF-8", async () => {
    const discord = await answer(gw.request(DISCORD, multipart({ content: "hi", message: latin1 })));
    expect([discord.status, discord.sent]).toEqual([204, 1]);
    expect(gw.stanzas().at(-1)?.getChildText("body")).toBe("hi");
    const bad = await answer(gw.request(DISCORD, multipart({ content: latin1 })));
    expect([bad.status, bodyOf(bad.body).code, bad.sent]).toEqual([400, 50035, 0]);
    const gotify = await answer(
      gw.request("/gotify/message", {
        ...multipart({ message: "m", appid: latin1 }),
        headers: { ...multipart({}).headers, "x-gotify-key": TOKEN },
      }),
    );
    expect([gotify.status, gotify.sent]).toEqual([200, 1]);
    const apprise = await answer(gw.request("/apprise/notify/k", multipart({ body: "b", urls: latin1 })));
    expect([apprise.status, apprise.sent]).toEqual([200, 1]);
    const mm = await answer(gw.request(MATTERMOST, multipart({ text: "t", icon_url: latin1 })));
    expect([mm.status, mm.body, mm.sent]).toEqual([200, "ok", 1]);
  });

  test("Mattermost: attachments as a multipart field is its own api.webhook.incoming.error, as its form decoder fails", async () => {
    const a = await answer(gw.request(MATTERMOST, multipart({ text: "t", attachments: '[{"text":"x"}]' })));
    expect([a.status, bodyOf(a.body).id, a.sent]).toEqual([400, "api.webhook.incoming.error", 0]);
  });
});
