// docs/troubleshooting.md quotes what the user sees: each answer and line quoted there is
// produced here, by the cause the page gives, and must be on the page exactly as it comes. Run on
// Prosody alone: its test bed loads no version module and can grant no privileges at all.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import xml from "@xmpp/xml";
import { serverKind } from "../helpers/servers.ts";
import { useTestBed } from "../helpers/bed.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { connectClient, isMessageWithBody, joinRoom, type TestClient } from "../../testbed/xmpp-client.ts";

const PAGE = await Bun.file(join(import.meta.dir, "../../docs/troubleshooting.md")).text();
const TOKEN = "ops-token-0123456789abcdef";
const ROOM = "ops@muc.localhost";
const LOBBY = "lobby@muc.localhost";

/** What the user sees must be on the page, as it comes. */
function expectOnPage(text: string): void {
  expect({ text, onPage: PAGE.includes(text) }).toEqual({ text, onPage: true });
}

const routes = (c2sPort: number) => `
auth:
  ops: { kind: bearer, tokens: [{ name: ops, token: "${TOKEN}" }] }
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${c2sPort}" }
bots:
  - jid: house@gateway.localhost
    allow: ["bob@localhost"]
    rooms: [{ jid: ${LOBBY} }]
    commands: [{ match: '^ping$', reply: pong }]
routes:
  - path: /room/:room
    send: <message to="{{ params.room }}@muc.localhost" type="groupchat"><body>{{ body.text }}</body></message>
  - path: /version/:host
    method: GET
    send: <iq type="get" to="{{ params.host }}"><query xmlns="jabber:iq:version"/></iq>
  - path: /pair
    auth: ops
    body: { to: string, text: string }
    send: <message to="{{ body.to }}@localhost" type="chat"><body>{{ body.text }}</body></message>
  - path: /notify/:user
    auth: ops
    send: <message to="{{ params.user }}@localhost" type="chat"><body>{{ body.text }}</body></message>
  - plugin: post_msg
    auth: users
  - plugin: roster_admin
    auth: ops
    options: { roster_url: "http://127.0.0.1:9/%s", sync_on_login: false }
`;

describe("prosody", () => {
  let owner: TestClient | undefined;
  const bed = useTestBed(serverKind("prosody"), {
    server: { privileges: null },
    // The lobby exists (semi-anonymous, Prosody's default) before the bot's first join.
    gateway: async (server) => {
      owner = await connectClient(server, "alice");
      await joinRoom(owner, LOBBY, "Alice");
      return { routes: routes(server.c2sPort) };
    },
    clients: ["bob"],
  });
  const auth = { authorization: `Bearer ${TOKEN}` };
  /** The answer as the page writes it: `STATUS BODY`. */
  const answer = async (res: Response) => `${res.status} ${await res.text()}`;

  test("a locked room: 404 ROOM_REFUSED, item-not-found", async () => {
    await joinRoom(bed.bob, ROOM, "Bob", { instant: false });
    const res = await bed.gw.post("/room/ops", { headers: { "content-type": "application/json" }, body: '{"text":"hi"}' });
    expectOnPage(await answer(res));
  });

  test("a semi-anonymous room: the bot's refusal to someone in its allow: list", async () => {
    await joinRoom(bed.bob, LOBBY, "Bob");
    // The bot is in: bob's join lists it, or its presence comes after.
    await bed.bob.nextStanza((s) => s.name === "presence" && s.attrs.from === `${LOBBY}/house` && s.attrs.type === undefined);
    await bed.bob.send(xmlGroupchat(LOBBY, "house: ping"));
    const refusal = await bed.bob.nextStanza((s) => isMessageWithBody(s) && s.attrs.from === `${LOBBY}/house`);
    expectOnPage(refusal.getChildText("body") ?? "");
    await owner?.stop();
  });

  test("no version module: 503 XMPP_ERROR service-unavailable", async () => {
    expectOnPage(await answer(await fetch(`${bed.gw.url}/version/localhost`)));
  });

  test("JSON without its Content-Type: 415, 400 with a hint, or the JSON as the text", async () => {
    const form = { ...auth, "content-type": "application/x-www-form-urlencoded" };
    expectOnPage(
      await answer(await bed.gw.post("/pair", { headers: { ...auth, "content-type": "application/octet-stream" }, body: '{"text":"hi"}' })),
    );
    expectOnPage(await answer(await bed.gw.post("/pair", { headers: form, body: '{"to":"bob","text":"hi"}' })));
    expect((await bed.gw.post("/notify/bob", { headers: form, body: '{"text":"hi"}' })).status).toBe(201);
    const arrived = await bed.bob.nextStanza((s) => isMessageWithBody(s) && s.attrs.type === "chat");
    expectOnPage(`\`${arrived.getChildText("body")}\``);
  });

  test("no XEP-0356 grants: post_msg's start-up warning and roster_admin's 503", async () => {
    // Logged once the server's advertisement window has passed without one.
    const isWarning = (l: Record<string, unknown>) => typeof l.msg === "string" && l.msg.startsWith("no XEP-0356 message permission");
    await waitFor(() => bed.gw.logs.some(isWarning), 10_000, "post_msg's warning");
    expectOnPage(String(bed.gw.logs.find(isWarning)?.msg));
    const res = await bed.gw.post("/roster_admin/refresh", { headers: { ...auth, "content-type": "application/json" }, body: '["bob"]' });
    expectOnPage(await answer(res));
  });

  // Last: it locks this test's address out of every scheme.
  test("failures past auth_throttle from one address: 429 RATE_LIMITED for everyone there", async () => {
    const wrong = { authorization: "Bearer a-wrong-token-0123456789", "content-type": "application/json" };
    let last = "";
    for (let i = 0; i < 11; i++) last = await answer(await bed.gw.post("/pair", { headers: wrong, body: '{"to":"bob","text":"hi"}' }));
    expect(last.startsWith("429 ")).toBe(true);
    expectOnPage(last);
  });
});

function xmlGroupchat(room: string, text: string) {
  return xml("message", { to: room, type: "groupchat" }, xml("body", {}, text));
}
