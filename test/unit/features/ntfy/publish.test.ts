// preset: ntfy, driven in-process: each way ntfy's senders publish gives one chat message per
// recipient and ntfy's message JSON; each bad input ntfy's own error, and nothing sent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";

const ROUTES = `
routes:
  - preset: ntfy
    to: ops@localhost
    topics:
      backups: admin@localhost
      family: [alice@localhost, bob@localhost]
  - { path: /message, send: '<message to="carol@localhost"><body>{{ body.text }}</body></message>' }
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

/** The chat messages sent since `before`, as `to: body`. */
const bodies = (before: number) =>
  gw
    .stanzas()
    .slice(before)
    .filter((s) => s.name === "message")
    .map((s) => `${s.attrs.to}: ${s.getChildText("body")}`);

async function publish(path: string, init: RequestInit = {}) {
  const before = gw.stanzas().length;
  const response = await gw.request(path, { method: "POST", ...init });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, sent: bodies(before) };
}

describe("publishing", () => {
  test("the body to /<topic> with ntfy's headers: title in bold, tag emojis first, other tags, priority mark, links", async () => {
    const { status, json, sent } = await publish("/backups", {
      body: "Disk is 91% full\n",
      headers: { Title: "nas01", Priority: "high", Tags: "warning,cd,nas", Click: "https://nas01/" },
    });
    expect(status).toBe(200);
    expect(sent).toEqual(["admin@localhost: ❗ ⚠️ 💿 *nas01*\nDisk is 91% full\nTags: nas\nhttps://nas01/"]);
    expect(json).toMatchObject({ event: "message", topic: "backups", title: "nas01", message: "Disk is 91% full", priority: 4 });
    expect(json.tags).toEqual(["warning", "cd", "nas"]);
    expect(json.id).toMatch(/^[A-Za-z0-9]{12}$/);
    // The topics' cache keeps it 12 h by default (topics.cache_duration_s), which is what ntfy answers.
    expect(json.expires).toBe((json.time as number) + 43_200);
  });

  test("query parameters stand for headers, PUT as POST; a topic not listed goes to to:", async () => {
    const put = await gw.request("/deploys?title=v2&p=urgent&ta=rocket", { method: "PUT", body: "shipped" });
    expect(put.status).toBe(200);
    expect(bodies(gw.stanzas().length - 1)).toEqual(["ops@localhost: ‼️ 🚀 *v2*\nshipped"]);
  });

  test("a listed topic with a list of JIDs: one message each", async () => {
    const { sent } = await publish("/family", { body: "dinner at 7", headers: { "X-Title": "home" } });
    expect(sent).toEqual(["alice@localhost: *home*\ndinner at 7", "bob@localhost: *home*\ndinner at 7"]);
  });

  test("JSON to the root, with the request's other headers as Apprise sends them", async () => {
    const { status, json, sent } = await publish("/", {
      body: JSON.stringify({ topic: "backups", title: "nas01", message: "done", tags: ["white_check_mark"] }),
      headers: { "Content-Type": "application/json", "X-Priority": "low", "X-Click": "https://nas01/log" },
    });
    expect(status).toBe(200);
    expect(sent).toEqual(["admin@localhost: ✅ *nas01*\ndone\nhttps://nas01/log"]);
    expect(json).toMatchObject({ topic: "backups", priority: 2, click: "https://nas01/log" });
  });

  test("GET /<topic>/publish, /send and /trigger; a literal \\n in ?message= is a new line", async () => {
    for (const verb of ["publish", "send", "trigger"]) {
      const before = gw.stanzas().length;
      const response = await gw.request(`/backups/${verb}?message=line1\\nline2&t=${verb}`);
      expect(response.status).toBe(200);
      expect(bodies(before)).toEqual([`admin@localhost: *${verb}*\nline1\nline2`]);
    }
  });

  test("an empty body is ntfy's 'triggered'", async () => {
    expect((await publish("/backups")).sent).toEqual(["admin@localhost: triggered"]);
  });

  test("Markdown links become label (URL); view actions are links; an attachment by URL is a message of its own (XEP-0066)", async () => {
    const { sent, json } = await publish("/backups", {
      body: "see **the [log](https://nas01/log)**",
      headers: {
        Markdown: "yes",
        Attach: "https://nas01/df.txt",
        Actions: "view, Open NAS, https://nas01/; http, Retry, https://nas01/retry, method=put",
      },
    });
    expect(sent).toEqual([
      "admin@localhost: see *the log (https://nas01/log)*\nOpen NAS: https://nas01/\nRetry: https://nas01/retry",
      "admin@localhost: https://nas01/df.txt",
    ]);
    expect(json).toMatchObject({ content_type: "text/markdown", attachment: { name: "df.txt", url: "https://nas01/df.txt" } });
    expect((json.actions as Array<Record<string, unknown>>).map((a) => [a.action, a.label, a.method])).toEqual([
      ["view", "Open NAS", undefined],
      ["http", "Retry", "PUT"],
    ]);
  });

  test("headers in UTF-8 or as RFC 2047 encoded-words read as written", async () => {
    const { sent } = await publish("/backups", { body: "x", headers: { Title: "=?UTF-8?B?R3LDtsOfZQ==?=" } });
    expect(sent).toEqual(["admin@localhost: *Größe*\nx"]);
  });

  test("an explicit route wins over the topic of the same name", async () => {
    const before = gw.stanzas().length;
    const response = await gw.request("/message", { method: "POST", body: "to carol", headers: { "Content-Type": "text/plain" } });
    expect(response.status).toBe(201);
    expect(bodies(before)).toEqual(["carol@localhost: to carol"]);
    expect((await gw.request("/message", { method: "PUT", body: "x" })).status).toBe(405);
  });

  test("the health endpoints stay the gateway's", async () => {
    expect(await (await gw.request("/healthz")).json()).toEqual({ status: "alive" });
  });
});

describe("the request log names the route that served the request", () => {
  test("a fixed path registered after ntfy's /:topic is labelled as itself", async () => {
    await gw.request("/message", { method: "POST", body: "x", headers: { "Content-Type": "text/plain" } });
    await gw.request("/backups", { method: "POST", body: "x" });
    const routes = gw.logs.filter((l) => l.msg === "http request").map((l) => `${l.method} ${l.path} ${l.route}`);
    expect(routes).toContain("POST /message /message");
    expect(routes).toContain("POST /backups /:topic");
  });
});
