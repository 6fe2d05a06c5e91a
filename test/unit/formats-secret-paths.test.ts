// The formats whose path is the sender's only secret (Slack, Mattermost, Teams, Discord: their
// route kinds say `secretPath`): whatever is asked of such a path, sent, refused or mistyped, the
// secret appears in no log line, no metric and no message, and the answer carries no CORS headers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type FakeGateway, fakeGateway } from "../helpers/fake-gateway.ts";

const SECRET = {
  slack: "Qm9uZ2VyLXNlY3JldC0x",
  mattermost: "b7rk3w9zq1xg5pd4ma8ycnhf2e",
  teams: "5d41402abc4b2a76b9719d91aaaa",
  discord: "3f9c2a7be41d4e8f9b0c6d5a",
};
const PATH = {
  slack: `/slack/T0/B0/${SECRET.slack}`,
  mattermost: `/hooks/${SECRET.mattermost}`,
  teams: `/teams/${SECRET.teams}`,
  discord: `/discord/webhooks/1/${SECRET.discord}`,
};
const BODY = {
  slack: { text: "disk full" },
  mattermost: { text: "disk full" },
  teams: {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        content: { type: "AdaptiveCard", body: [{ type: "TextBlock", text: "disk full" }] },
      },
    ],
  },
  discord: { content: "disk full" },
};
const FORMATS = ["slack", "mattermost", "teams", "discord"] as const;
const json = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json", origin: "https://page.example" },
  body: JSON.stringify(body),
});

let gw: FakeGateway;
beforeAll(async () => {
  gw = await fakeGateway(`routes:\n${FORMATS.map((f) => `  - { preset: ${f}, path: ${PATH[f]}, to: ops@localhost }\n`).join("")}`);
});
afterAll(() => gw.stop());

/** Everything an operator may read: the log lines and the metrics. */
async function readable(): Promise<string> {
  return JSON.stringify(gw.logs) + (await (await gw.request("/metrics")).text());
}

describe.each(FORMATS)("%s", (format) => {
  test("a message sent, a method refused (405), near misses (case, a segment too many, %2F): the secret is in no log line and no metric", async () => {
    const sent = await gw.request(PATH[format], json(BODY[format]));
    expect(sent.status).toBeLessThan(300);
    const refused = await gw.request(PATH[format], json(BODY[format], "PATCH"));
    expect(refused.status).toBe(405);
    expect(await refused.text()).not.toContain(SECRET[format]);
    await gw.request(`${PATH[format].toUpperCase()}x`, json(BODY[format]));
    await gw.request(`${PATH[format]}/extra`, json(BODY[format]));
    await gw.request(`/${PATH[format].slice(1).replaceAll("/", "%2F")}`, json(BODY[format]));
    const seen = await readable();
    expect(seen).not.toContain(SECRET[format]);
    expect(seen.toLowerCase()).not.toContain(SECRET[format].toLowerCase());
  });

  test("no CORS headers: no sender of a webhook is a browser, and no page may read the answer", async () => {
    for (const init of [json(BODY[format]), { method: "OPTIONS", headers: { origin: "https://page.example" } }]) {
      const res = await gw.request(PATH[format], init);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });
});

test("Discord's GET webhook (its token in the body) answers no CORS headers either", async () => {
  const res = await gw.request(PATH.discord, { headers: { origin: "https://page.example" } });
  expect(res.status).toBe(200);
  expect(res.headers.get("access-control-allow-origin")).toBeNull();
});

test("the 405 names the path as the log does: Discord's token hidden", async () => {
  const res = await gw.request(PATH.discord, json(BODY.discord, "PATCH"));
  expect(await res.json()).toEqual({ message: "/discord/webhooks/1/… does not accept PATCH", code: 0 });
  const line = gw.logs.filter((l) => l.msg === "http request").at(-1);
  expect(line).toMatchObject({ status: 405, path: "/discord/webhooks/1/…" });
  expect(String(line?.error)).toContain("/discord/webhooks/1/… does not accept PATCH");
});
