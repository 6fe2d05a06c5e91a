// The four plugins in one gateway, as users deploy them: routes do not step on each other.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectClient, hasMucStatus, isMessageWithBody, joinRoom, type TestClient } from "../../testbed/xmpp-client.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const NS_ROSTER = "jabber:iq:roster";

let prosody: XmppServer;
let gw: TestGateway;
let apps: ReturnType<typeof Bun.serve>;
const clients: TestClient[] = [];

beforeAll(async () => {
  prosody = await startProsody();
  apps = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/bot") return Response.json({ body: `echo: ${((await req.json()) as { body?: string }).body}` });
      return Response.json({ "bob@localhost": { name: "Bob", groups: ["Team"] } });
    },
  });
  const base = `http://127.0.0.1:${apps.port}`;
  // component_http serves every JID of the component, the domain included, and comes first.
  gw = await startGateway(prosody, {
    waitForPrivileges: true,
    routes: `
auth:
  ops: { kind: header, value: "Secret ops" }
routes:
  - plugin: component_http
    options: { post_url: "${base}/bot" }
  - plugin: roster_admin
    auth: ops
    options: { roster_url: "${base}/contacts/%s" }
  - plugin: muc_kick
    auth: ops
`,
  });
});

afterAll(async () => {
  for (const c of clients) await c.stop();
  await gw?.stop();
  apps?.stop(true);
  await prosody?.stop();
});

describe("component_http and roster_admin on one component", () => {
  test("alice's login still syncs her roster, though component_http serves the domain and comes first", async () => {
    const alice = await connectClient(prosody, "alice");
    clients.push(alice);
    // The sync runs when the server forwards alice's presence; her roster shows it (bounded wait).
    const rosterItem = async () =>
      (await alice.iq(xml("iq", { type: "get" }, xml("query", { xmlns: NS_ROSTER })))).getChild("query", NS_ROSTER)?.getChild("item");
    const item = await waitFor(rosterItem, 5_000, "bob in alice's roster", undefined, 100);
    expect(item?.attrs).toMatchObject({ jid: "bob@localhost", name: "Bob", subscription: "both" });
  });

  test("and the webhook bot still answers alice", async () => {
    const alice = clients[0] as TestClient;
    await alice.send(xml("message", { to: `echo@${prosody.componentDomain}`, type: "chat" }, xml("body", {}, "ping")));
    const reply = await alice.nextStanza(isMessageWithBody, 10_000);
    expect(reply.getChildText("body")).toBe("echo: ping");
    expect(reply.attrs.from).toBe(`echo@${prosody.componentDomain}`);
  });
});

describe("muc_kick behind a component_http route that serves every JID", () => {
  test("the gateway still joins (its occupant JID is claimed) and bob is kicked", async () => {
    const room = `together@${prosody.mucDomain}`;
    const bob = await connectClient(prosody, "bob");
    clients.push(bob);
    await joinRoom(bob, room, "Bob");
    const res = await gw.post("/muc_kick", {
      headers: { authorization: "Secret ops", "content-type": "application/json" },
      body: JSON.stringify({ nickname: "Bob", muc: room }),
    });
    expect(res.status).toBe(200);
    const kicked = await bob.nextStanza((s) => s.name === "presence" && s.attrs.type === "unavailable" && hasMucStatus("307")(s), 10_000);
    expect(kicked.attrs.from).toBe(`${room}/Bob`);
  });
});
