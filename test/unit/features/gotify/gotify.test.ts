// Gotify's message API on a gotify route, in-process: where senders put the token, the bodies
// they send, what the created message answers, the errors in Gotify's shape, and DELETE.
import { afterEach, describe, expect, test } from "bun:test";
import { FAKE_HEAD, fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { FakeEntity } from "../../../helpers/fake-entity.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { createGateway } from "../../../../src/app.ts";
import { createLogger } from "../../../../src/log.ts";
import { gotifyNotification, ntfyPriority } from "../../../../src/features/gotify/notification.ts";

/** A Gotify 2.x application token: `A` and 14 of [A-Za-z0-9._-]. */
const TOKEN = "AGhVjJ3kKc0d.zm";
const OTHER = "AxK9-_qq.3LmPz0";
const ROUTES = `auth:
  apps:
    kind: bearer
    tokens:
      - { token: "${TOKEN}", name: backups }
      - { token: "${OTHER}", name: kuma, allow: [ops@localhost] }
routes:
  - { preset: gotify, to: [ops@localhost, bob@localhost], auth: apps }
`;

let gw: FakeGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});
const start = async (routes = ROUTES) => (gw = await fakeGateway(routes));
const bodies = (g: FakeGateway) => g.stanzas().map((s) => s.getChildText("body"));
const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

describe("the token, where Gotify senders put it", () => {
  test("?token= (Uptime Kuma), X-Gotify-Key (apprise) and Authorization: Bearer are each accepted", async () => {
    const g = await start();
    for (const [path, headers] of [
      [`/message?token=${TOKEN}`, {}],
      ["/message", { "x-gotify-key": TOKEN }],
      ["/message", { authorization: `Bearer ${TOKEN}` }],
    ] as const) {
      const res = await g.request(path, json({ message: "hi" }, headers));
      expect(res.status).toBe(200);
    }
    expect(bodies(g)).toHaveLength(6);
  });

  test("no token or a wrong one is 401 in Gotify's shape, and nothing is sent", async () => {
    const g = await start();
    for (const init of [json({ message: "hi" }), json({ message: "hi" }, { "x-gotify-key": "Awrongtoken1234" })]) {
      const res = await g.request("/message", init);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: "Unauthorized",
        errorCode: 401,
        errorDescription: "you need to provide a valid access token or user credentials to access this api",
      });
    }
    expect(bodies(g)).toEqual([]);
  });

  test("?token= comes first, as in Gotify: a wrong one there is refused even with a right header", async () => {
    const g = await start();
    const res = await g.request("/message?token=Awrongtoken1234", json({ message: "hi" }, { "x-gotify-key": TOKEN }));
    expect(res.status).toBe(401);
  });

  test("a token whose allow list leaves out a recipient is 403", async () => {
    const g = await start();
    const res = await g.request("/message", json({ message: "hi" }, { "x-gotify-key": OTHER }));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "Forbidden", errorCode: 403 });
  });
});

describe("the message sent", () => {
  test("answers Gotify's created message, 200, and each recipient gets it", async () => {
    const g = await start();
    const res = await g.request("/message", json({ title: "nas01", message: "Disk is 91% full", priority: 8 }, { "x-gotify-key": TOKEN }));
    expect(res.status).toBe(200);
    const created = (await res.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ id: 1, appid: 1, message: "Disk is 91% full", title: "nas01", priority: 8 });
    expect(new Date(created.date as string).toISOString()).toBe(created.date as string);
    expect(g.stanzas().map((s) => s.attrs.to)).toEqual(["ops@localhost", "bob@localhost"]);
    expect(bodies(g)).toEqual(["❗ *nas01*\nDisk is 91% full", "❗ *nas01*\nDisk is 91% full"]);
  });

  test("ids are integers that grow; a blank title is the application's (the token holder's) name", async () => {
    const g = await start();
    const first = (await (await g.request(`/message?token=${TOKEN}`, json({ message: "a", title: " " }))).json()) as { id: number };
    const second = (await (await g.request(`/message?token=${TOKEN}`, json({ message: "b" }))).json()) as { id: number; title: string };
    expect(second.id).toBe(first.id + 1);
    expect(second.title).toBe("backups");
    expect(bodies(g)[0]).toBe("*backups*\na");
  });

  test("a urlencoded form, a multipart form (curl -F) and the query string carry the fields too", async () => {
    const g = await start();
    const form = {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "title=T&message=from+a+form&priority=2",
    };
    expect((await g.request(`/message?token=${TOKEN}`, form)).status).toBe(200);
    const multipart = new FormData();
    multipart.set("message", "from curl -F");
    multipart.set("priority", "10");
    expect((await g.request(`/message?token=${TOKEN}`, { method: "POST", body: multipart })).status).toBe(200);
    expect((await g.request(`/message?token=${TOKEN}&message=from%20the%20query`, { method: "POST" })).status).toBe(200);
    expect(bodies(g).filter((_b, i) => i % 2 === 0)).toEqual([
      "*T*\nfrom a form",
      "‼️ *backups*\nfrom curl -F",
      "*backups*\nfrom the query",
    ]);
  });

  test("extras: a Markdown message gets plain links; the click URL is added as a link", async () => {
    const g = await start();
    const extras = {
      "client::display": { contentType: "text/markdown" },
      "client::notification": { click: { url: "https://nas01.example/backups" } },
    };
    const res = await g.request(
      `/message?token=${TOKEN}`,
      json({ message: "**Backup** done, see [the log](https://nas01.example/log)", extras }),
    );
    expect(((await res.json()) as { extras: unknown }).extras).toEqual(extras);
    expect(bodies(g)[0]).toBe("*backups*\n*Backup* done, see the log (https://nas01.example/log)\nhttps://nas01.example/backups");
  });
});

describe("while the XMPP server is unreachable", () => {
  test("the message is queued in the outbox and answered 200, as apprise needs: queued is never lost", async () => {
    // A gateway whose link never started: every delivery goes to the outbox.
    const gateway = await createGateway(loadTestConfig(FAKE_HEAD + ROUTES), {
      log: createLogger({ level: "error", write: () => {} }),
      createEntity: () => new FakeEntity(),
    });
    try {
      const res = await gateway.handle(new Request(`http://127.0.0.1/message?token=${TOKEN}`, json({ message: "later" })));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { message: string }).message).toBe("later");
      expect(gateway.link.status).not.toBe("online");
    } finally {
      await gateway.stop({ flushTimeoutMs: 100 });
    }
  });
});

describe("bad input, in Gotify's error shape", () => {
  test("a missing message is 400 with Gotify's words", async () => {
    const g = await start();
    for (const body of [{ title: "x" }, { message: "" }]) {
      const res = await g.request(`/message?token=${TOKEN}`, json(body));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "Bad Request", errorCode: 400, errorDescription: "Field 'message' is required" });
    }
  });

  test("JSON sent without its Content-Type is told why the message is missing", async () => {
    const g = await start();
    const res = await g.request(`/message?token=${TOKEN}`, { method: "POST", body: JSON.stringify({ message: "hi" }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errorDescription: string }).errorDescription).toContain("Content-Type: application/json");
  });

  test("a priority that is not an integer, malformed JSON, and a body over the limit", async () => {
    const g = await start();
    const bad = await g.request(`/message?token=${TOKEN}`, json({ message: "x", priority: "high" }));
    expect(bad.status).toBe(400);
    const broken = await g.request(`/message?token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(await broken.json()).toMatchObject({ error: "Bad Request", errorCode: 400 });
    const huge = await g.request(`/message?token=${TOKEN}`, json({ message: "x".repeat(2_000_000) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: "Request Entity Too Large", errorCode: 413 });
    expect(bodies(g)).toEqual([]);
  });
});

describe("DELETE /message/<id>", () => {
  test("withdraws what each recipient got (XEP-0424), then the id is gone", async () => {
    const g = await start();
    const { id } = (await (await g.request(`/message?token=${TOKEN}`, json({ message: "oops" }))).json()) as { id: number };
    const sentIds = g.stanzas().map((s) => s.attrs.id);
    const res = await g.request(`/message/${id}?token=${TOKEN}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    const retractions = g.stanzas().slice(2);
    expect(retractions.map((s) => s.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id)).toEqual(sentIds);
    const again = await g.request(`/message/${id}?token=${TOKEN}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: "Not Found", errorCode: 404, errorDescription: "message does not exist" });
  });

  test("another token's message does not exist for it; a non-numeric id is 400; no token is 401", async () => {
    const g = await start(ROUTES.replace(", allow: [ops@localhost]", ""));
    const { id } = (await (await g.request(`/message?token=${TOKEN}`, json({ message: "mine" }))).json()) as { id: number };
    expect((await g.request(`/message/${id}`, { method: "DELETE", headers: { "x-gotify-key": OTHER } })).status).toBe(404);
    expect((await g.request("/message/abc", { method: "DELETE", headers: { "x-gotify-key": TOKEN } })).status).toBe(400);
    expect((await g.request(`/message/${id}`, { method: "DELETE" })).status).toBe(401);
    expect(g.stanzas()).toHaveLength(2);
  });
});

describe("mapping", () => {
  test("Gotify's 0-10 priorities onto ntfy's 1-5, as Gotify's app groups them", () => {
    expect([0, 1, 3, 4, 5, 7, 8, 9, 10, 42, -1].map(ntfyPriority)).toEqual([1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 1]);
  });

  test("a Markdown message reads as every format's does: links label (url), autolinks bare, **bold** as *bold*", () => {
    const message =
      "**Disk** [docs](https://x.example/d) ![graph](https://x.example/g.png) <https://x.example/> [https://y.example](https://y.example)";
    const markdown = { "client::display": { contentType: "text/markdown" } };
    expect(gotifyNotification({ message, extras: markdown }, "app").text).toBe(
      "*Disk* docs (https://x.example/d) graph (https://x.example/g.png) https://x.example/ https://y.example",
    );
    // Without the Markdown content type the text is the sender's, as Gotify's clients show it.
    expect(gotifyNotification({ message }, "app").text).toBe(message);
  });

  test("bigImageUrl (the picture Gotify's app shows expanded) is an attachment; click.url a link; other schemes neither (issue 21)", () => {
    const extras = (bigImageUrl: string) => ({
      "client::notification": { bigImageUrl, click: { url: "https://cam.example/live" } },
    });
    expect(gotifyNotification({ message: "someone at the door", extras: extras("https://cam.example/door.jpg") }, "doorbell")).toEqual({
      title: "doorbell",
      text: "someone at the door",
      links: [{ url: "https://cam.example/live" }],
      attachments: [{ kind: "link", url: "https://cam.example/door.jpg" }],
    });
    expect(gotifyNotification({ message: "m", extras: extras("file:///etc/passwd") }, "a").attachments).toBeUndefined();
  });
});
