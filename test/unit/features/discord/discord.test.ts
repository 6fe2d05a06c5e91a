// `preset: discord`: a tool configured for a Discord webhook posts to the gateway unchanged (its
// recorded payloads: golden.test.ts). The answers are Discord's (204, or 200 with a message object
// for ?wait=true); PATCH corrects (XEP-0308) and DELETE withdraws (XEP-0424) what recipients saw; bad
// input gets Discord's error shape and sends nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { offlineGateway } from "../../../helpers/offline-gateway.ts";
import { multipart } from "../../../helpers/discord-fixtures.ts";

const HOOK = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const ROUTES = `
auth:
  ops: { kind: bearer, tokens: [{ name: ci, token: ci-token-0123456789 }] }
routes:
  - { preset: discord, path: ${HOOK}, to: bob@localhost }
  - { preset: discord, path: /team/Qw8eR4tY6uI2oP0aS5dF, to: [alice@localhost, bob@localhost] }
  - { preset: discord, path: /guarded/hook, auth: ops, to: bob@localhost }
  - { preset: discord, path: /api/webhooks/1189/Alice0only0token0x, to: alice@localhost }
`;
const json = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

/** The messages the gateway wrote while `act` ran. */
async function sentDuring(act: () => Promise<Response>): Promise<{ res: Response; sent: Element[] }> {
  const before = gw.stanzas().length;
  const res = await act();
  return {
    res,
    sent: gw
      .stanzas()
      .slice(before)
      .filter((s) => s.name === "message"),
  };
}

describe("Discord's answers", () => {
  test("GET on the webhook answers a webhook object without an avatar, as Uptime Kuma's pre-check reads it", async () => {
    const res = await gw.request(HOOK);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 1, id: "1189", token: "Zx9fK2mQ7rT4vW8yB3nD", avatar: null, name: "Stanzagate" });
  });

  test("?wait=true answers 200 with the message object: a snowflake id, the content, the embeds", async () => {
    const res = await gw.request(
      `${HOOK}?wait=true`,
      json({ content: "backup done", embeds: [{ title: "nas", image: { url: "https://x/i.png" } }] }),
    );
    expect(res.status).toBe(200);
    const message = (await res.json()) as Record<string, unknown>;
    expect(message).toMatchObject({
      type: 0,
      content: "backup done",
      embeds: [{ type: "rich", title: "nas", image: { url: "https://x/i.png" } }],
      webhook_id: "1189",
      edited_timestamp: null,
      author: { bot: true },
    });
    expect(String(message.id)).toMatch(/^\d{17,20}$/);
    expect(Date.parse(String(message.timestamp))).not.toBeNaN();
    expect((await gw.request(`${HOOK}/messages/${message.id}`)).status).toBe(200);
  });

  test("a file when attachments are off (no http.public_url) is 400 in Discord's shape saying so, and nothing is sent", async () => {
    const { res, sent } = await sentDuring(() => gw.request(HOOK, multipart('{"content":"see graph"}', ["cpu.png"], "files[0]")));
    expect([res.status, await res.json()]).toEqual([
      400,
      { message: "This gateway does not take files: set http.public_url to turn attachments on", code: 0 },
    ]);
    expect(sent).toEqual([]);
  });

  test("a form body with content, as curl -F or -d sends it", async () => {
    const init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "content=hello+there" };
    const { res, sent } = await sentDuring(() => gw.request(HOOK, init));
    expect(res.status).toBe(204);
    expect(sent[0]?.getChildText("body")).toBe("hello there");
  });
});

describe("the token is the secret", () => {
  test("each webhook below one prefix reaches its own recipients; a wrong token is Discord's 404 Unknown Webhook", async () => {
    const { sent } = await sentDuring(() => gw.request("/api/webhooks/1189/Alice0only0token0x", json({ content: "for alice" })));
    expect(sent.map((s) => s.attrs.to)).toEqual(["alice@localhost"]);
    for (const [method, path] of [
      ["POST", "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nE"],
      ["GET", "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3n"],
      ["DELETE", "/api/webhooks/1189/guess/messages/1"],
    ] as const) {
      const { res, sent: none } = await sentDuring(() => gw.request(path, method === "POST" ? json({ content: "x" }) : { method }));
      expect([res.status, await res.json()]).toEqual([404, { message: "Unknown Webhook", code: 10015 }]);
      expect(none).toEqual([]);
    }
  });

  test("no log line carries a token: requests are logged by the pattern <prefix>/:token", () => {
    const lines = gw.logs.map((l) => JSON.stringify(l));
    expect(lines.filter((l) => l.includes("Zx9fK2mQ7rT4vW8yB3nD") || l.includes("Alice0only0token0x"))).toEqual([]);
    expect(lines.some((l) => l.includes("/api/webhooks/1189/:token"))).toBe(true);
  });
});

describe("edits and deletions", () => {
  async function postWaiting(path: string, body: unknown): Promise<{ id: string; sent: Element[] }> {
    const { res, sent } = await sentDuring(() => gw.request(`${path}?wait=true`, json(body)));
    expect(res.status).toBe(200);
    return { id: ((await res.json()) as { id: string }).id, sent };
  }

  test("PATCH corrects the message each recipient got (XEP-0308), keeping the embeds it does not name", async () => {
    const team = "/team/Qw8eR4tY6uI2oP0aS5dF";
    const { id, sent: first } = await postWaiting(team, { content: "deploy started", embeds: [{ title: "v2.1" }] });
    expect(first.map((s) => s.attrs.to)).toEqual(["alice@localhost", "bob@localhost"]);
    const { res, sent } = await sentDuring(() => gw.request(`${team}/messages/${id}`, json({ content: "deploy done" }, "PATCH")));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, content: "deploy done", embeds: [{ title: "v2.1" }] });
    expect(sent.map((s) => [s.attrs.to, s.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id, s.getChildText("body")])).toEqual([
      ["alice@localhost", first[0]?.attrs.id, "*v2.1*\ndeploy done"],
      ["bob@localhost", first[1]?.attrs.id, "*v2.1*\ndeploy done"],
    ]);
  });

  test("a second PATCH still names the first message (XEP-0308 §4), and null clears a field", async () => {
    const { id, sent: first } = await postWaiting(HOOK, { content: "50%", embeds: [{ title: "copy" }] });
    await gw.request(`${HOOK}/messages/${id}`, json({ content: "80%" }, "PATCH"));
    const { sent } = await sentDuring(() => gw.request(`${HOOK}/messages/${id}`, json({ content: "done", embeds: null }, "PATCH")));
    expect(sent[0]?.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(first[0]?.attrs.id);
    expect(sent[0]?.getChildText("body")).toBe("done");
  });

  test("DELETE withdraws it (XEP-0424) and answers 204; after that the message is unknown (10008)", async () => {
    const { id, sent: first } = await postWaiting(HOOK, { content: "oops" });
    const { res, sent } = await sentDuring(() => gw.request(`${HOOK}/messages/${id}`, { method: "DELETE" }));
    expect(res.status).toBe(204);
    expect(sent[0]?.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe(first[0]?.attrs.id);
    for (const init of [{ method: "DELETE" }, json({ content: "again" }, "PATCH"), { method: "GET" }]) {
      const again = await gw.request(`${HOOK}/messages/${id}`, init);
      expect([again.status, await again.json()]).toEqual([404, { message: "Unknown Message", code: 10008 }]);
    }
  });

  test("a message sent without ?wait=true has no id to edit: an unknown one is 404 10008, nothing sent", async () => {
    const { res, sent } = await sentDuring(() => gw.request(`${HOOK}/messages/123456789012345678`, json({ content: "x" }, "PATCH")));
    expect([res.status, await res.json()]).toEqual([404, { message: "Unknown Message", code: 10008 }]);
    expect(sent).toEqual([]);
  });
});

describe("bad input gets Discord's error and sends nothing", () => {
  const cases: Array<[string, () => RequestInit, number, Record<string, unknown>]> = [
    ["an empty object", () => json({}), 400, { message: "Cannot send an empty message", code: 50006 }],
    ["empty content and no embeds", () => json({ content: "  ", embeds: [] }), 400, { code: 50006 }],
    ["content of nothing but U+FFFD (bytes that were not UTF-8)", () => json({ content: "\ufffd\ufffd" }), 400, { code: 50006 }],
    ["JSON that does not parse", () => ({ ...json(null), body: '{"content": "x"' }), 400, { code: 50109 }],
    [
      "a payload_json that does not parse",
      () => multipart('{"content": ', []),
      400,
      { code: 50035, message: "Invalid Form Body", errors: { payload_json: { _errors: [{ code: "PAYLOAD_JSON_INVALID" }] } } },
    ],
    [
      "content over 2,000 characters",
      () => json({ content: "x".repeat(2001) }),
      400,
      { code: 50035, errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] } } },
    ],
    ["11 embeds", () => json({ embeds: Array(11).fill({ title: "t" }) }), 400, { code: 50035, errors: { embeds: {} } }],
    [
      "an embed title over 256 characters and a field without a value",
      () => json({ embeds: [{ title: "t".repeat(257), fields: [{ name: "n" }] }] }),
      400,
      {
        code: 50035,
        errors: {
          embeds: {
            "0": {
              title: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] },
              fields: { "0": { value: { _errors: [{ code: "BASE_TYPE_REQUIRED" }] } } },
            },
          },
        },
      },
    ],
    ["a control character XML cannot carry", () => json({ content: "bell\u0007" }), 400, { code: 50035, errors: { content: {} } }],
    ["an embed that is not an object", () => json({ embeds: ["text"] }), 400, { code: 50035, errors: { embeds: { "0": {} } } }],
    ["text/plain", () => ({ method: "POST", headers: { "content-type": "text/plain" }, body: "hello" }), 400, { code: 50035 }],
    [
      "a body over http.max_body_bytes",
      () => ({ ...json(null), body: JSON.stringify({ content: "x".repeat(1_100_000) }) }),
      413,
      { code: 40005 },
    ],
  ];
  for (const [what, init, status, body] of cases)
    test(what, async () => {
      const { res, sent } = await sentDuring(() => gw.request(HOOK, init()));
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject(body);
      expect(sent).toEqual([]);
    });

  test("behind an auth scheme, a missing token is Discord's 401, and the token lets the message through", async () => {
    const { res, sent } = await sentDuring(() => gw.request("/guarded/hook", json({ content: "hi" })));
    expect([res.status, await res.json()]).toEqual([401, { message: "401: Unauthorized", code: 0 }]);
    expect(sent).toEqual([]);
    const init = json({ content: "hi" });
    const ok = await gw.request("/guarded/hook", { ...init, headers: { ...init.headers, authorization: "Bearer ci-token-0123456789" } });
    expect(ok.status).toBe(204);
  });
});

describe("while the XMPP server is away", () => {
  test("a message waits in the outbox and is answered as Discord answers a sent one: 204, or 200 with its id", async () => {
    const offline = await offlineGateway(`routes:\n  - { preset: discord, path: ${HOOK}, to: bob@example }\n`);
    try {
      expect((await offline.request(HOOK, json({ content: "disk full" }))).status).toBe(204);
      const res = await offline.request(`${HOOK}?wait=true`, json({ content: "disk 95%" }));
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      expect((await offline.request(`${HOOK}/messages/${id}`, json({ content: "disk 99%" }, "PATCH"))).status).toBe(200);
      expect(offline.gateway.delivery.queued).toBe(3);
    } finally {
      await offline.gateway.stop({ flushTimeoutMs: 0 });
    }
  });
});
