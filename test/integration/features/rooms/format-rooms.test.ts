// Room entries in a sender format's `to:` (issue 20 §1), on each real server's MUC (XEP-0045): the
// gateway enters the room and posts groupchat, as a declarative route's groupchat does. bob, an
// occupant, receives a ntfy publish and a Slack post there; a ntfy sequence id, a Discord edit and
// deletion, a Gotify deletion correct (XEP-0308) and withdraw (XEP-0424) the room message; a room
// that refuses the gateway is the format's error.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { joinRoom } from "../../../../testbed/xmpp-client.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { logTail } from "../../../helpers/gateway.ts";
import { presetFixture } from "../../../helpers/preset-fixtures.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { testServers } from "../../../helpers/servers.ts";

const SLACK = "/slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x";
const HOOK = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const TOKEN = "AGhVjJ3kKc0d.zm";
const ROUTES = `
auth:
  apps: { kind: bearer, tokens: [{ token: "${TOKEN}", name: monitoring }] }
routes:
  - { preset: discord, path: ${HOOK}, to: { room: ops@muc.localhost, nick: Alerts } }
  - { preset: gotify, to: { room: ops@muc.localhost, nick: Alerts }, auth: apps }
  - { preset: gitlab, to: [{ room: ops@muc.localhost, nick: Alerts }] }
  - preset: ntfy
    path: /ntfy
    to: alice@localhost
    topics:
      ops: { room: ops@muc.localhost, nick: Alerts }
      both: [alice@localhost, { room: ops@muc.localhost, nick: Alerts }]
      nowhere: [alice@localhost, { room: nowhere@muc.localhost }]
  - { preset: slack, path: ${SLACK}, to: [{ room: deploys@muc.localhost, nick: Deploys }] }
  - { preset: slack, path: /slack/T0/B0/bm93aGVyZS1zZWNyZXQtMg, to: { room: elsewhere@muc.localhost } }
`;

const json = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const retraction = (s: Element) =>
  s.name === "message" && s.attrs.type === "groupchat" && s.getChild("retract", "urn:xmpp:message-retract:1") !== undefined;
/** XEP-0424 in a room: the stanza-id the room gave the original, else the id it was sent with. */
const retractId = (original: Element) =>
  original.getChildren("stanza-id", "urn:xmpp:sid:0").find((e) => e.attrs.by === "ops@muc.localhost")?.attrs.id ?? original.attrs.id;

const groupchat = (room: string, text: string) => (s: Element) =>
  s.name === "message" && s.attrs.type === "groupchat" && (s.attrs.from ?? "").startsWith(`${room}/`) && s.getChildText("body") === text;

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["alice", "bob"] });

    test("a ntfy publish to a topic whose recipient is a room: 200, and bob sees it in the room from the entry's nick", async () => {
      await joinRoom(bed.bob, "ops@muc.localhost", "Bob");
      const res = await bed.gw.post("/ntfy/ops", { body: "disk full" });
      expect(res.status).toBe(200);
      const got = await bed.bob.nextStanza(groupchat("ops@muc.localhost", "disk full"));
      expect(got.attrs.from).toBe("ops@muc.localhost/Alerts");
    });

    test("a topic mixing a JID and a room: alice gets a chat message, bob the groupchat", async () => {
      await joinRoom(bed.bob, "ops@muc.localhost", "Bob");
      expect((await bed.gw.post("/ntfy/both", { body: "to both" })).status).toBe(200);
      const chat = await bed.alice.nextStanza((s) => s.name === "message" && s.getChildText("body") === "to both");
      expect(chat.attrs.type).toBe("chat");
      await bed.bob.nextStanza(groupchat("ops@muc.localhost", "to both"));
    });

    test("a Slack post to a room: 200 ok, and bob sees it in the room", async () => {
      await joinRoom(bed.bob, "deploys@muc.localhost", "Bob");
      const res = await bed.gw.post(SLACK, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: "v2 shipped" }),
      });
      expect([res.status, await res.text()]).toEqual([200, "ok"]);
      const got = await bed.bob.nextStanza(groupchat("deploys@muc.localhost", "v2 shipped"));
      expect(got.attrs.from).toBe("deploys@muc.localhost/Deploys");
    });

    test("a ntfy sequence id in a room: the update corrects the message bob saw, the DELETE withdraws it", async () => {
      await joinRoom(bed.bob, "ops@muc.localhost", "Bob");
      const headers = { "X-Sequence-ID": "backup-7" };
      expect((await bed.gw.post("/ntfy/ops", { headers, body: "backup running" })).status).toBe(200);
      const first = await bed.bob.nextStanza(groupchat("ops@muc.localhost", "backup running"));
      expect((await bed.gw.post("/ntfy/ops", { headers, body: "backup done" })).status).toBe(200);
      const update = await bed.bob.nextStanza(groupchat("ops@muc.localhost", "backup done"));
      // XEP-0308: the id the original was sent with, which the room keeps on its reflection.
      expect(update.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(first.attrs.id);
      expect((await bed.gw.post("/ntfy/ops/backup-7", { method: "DELETE" })).status).toBe(200);
      const withdrawal = await bed.bob.nextStanza(retraction);
      expect(withdrawal.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe(retractId(first));
    });

    test("a Discord edit corrects the room message, its deletion retracts it", async () => {
      await joinRoom(bed.bob, "ops@muc.localhost", "Bob");
      const res = await bed.gw.post(`${HOOK}?wait=true`, json({ content: "deploy 10%" }));
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      const first = await bed.bob.nextStanza(groupchat("ops@muc.localhost", "deploy 10%"));
      expect((await bed.gw.post(`${HOOK}/messages/${id}`, json({ content: "deploy done" }, "PATCH"))).status).toBe(200);
      const update = await bed.bob.nextStanza(groupchat("ops@muc.localhost", "deploy done"));
      expect(update.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(first.attrs.id);
      expect((await bed.gw.post(`${HOOK}/messages/${id}`, { method: "DELETE" })).status).toBe(204);
      expect((await bed.bob.nextStanza(retraction)).getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe(retractId(first));
    });

    test("a Gotify DELETE retracts the room message", async () => {
      await joinRoom(bed.bob, "ops@muc.localhost", "Bob");
      const res = await bed.gw.post("/message", {
        headers: { "content-type": "application/json", "x-gotify-key": TOKEN },
        body: JSON.stringify({ message: "sent by mistake" }),
      });
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: number };
      // Gotify's title is the application's name (the token's).
      const first = await bed.bob.nextStanza(groupchat("ops@muc.localhost", "*monitoring*\nsent by mistake"));
      const deleted = await fetch(`${bed.gw.url}/message/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${TOKEN}` } });
      expect(deleted.status).toBe(200);
      expect((await bed.bob.nextStanza(retraction)).getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe(retractId(first));
    });

    test("a preset (gitlab) with a room in to: posts its line there as a groupchat", async () => {
      await joinRoom(bed.bob, "ops@muc.localhost", "Bob");
      const push = presetFixture("gitlab", "push.json");
      const res = await bed.gw.post("/gitlab", {
        headers: [...push.headers, ["content-type", "application/json"]],
        body: await push.bytes(),
      });
      expect(res.status).toBe(201);
      const got = await bed.bob.nextStanza(
        (s) => s.name === "message" && s.attrs.type === "groupchat" && s.attrs.from === "ops@muc.localhost/Alerts",
      );
      // The preset's own line (golden/push.expected), in the room.
      expect(got.getChildText("body")).toStartWith("[mike/diaspora] jsmith pushed 4 commits to master: ");
    });

    test("a reload that changes nothing keeps the seat: bob sees no leave and no new join of the gateway", async () => {
      await joinRoom(bed.bob, "ops@muc.localhost", "Bob");
      expect((await bed.gw.post("/ntfy/ops", { body: "before the reload" })).status).toBe(200);
      await bed.bob.nextStanza(groupchat("ops@muc.localhost", "before the reload"));
      const from = bed.bob.received.length;
      const stopped = () => bed.gw.logs.filter((l) => l.msg === "the replaced configuration stopped").length;
      const before = stopped();
      await bed.gw.gateway.reload(bed.gw.config);
      // Barrier: once the old configuration has stopped, whatever it would send (a leave) was sent.
      await waitFor(() => stopped() > before, 15_000, "the replaced configuration to stop", logTail(bed.gw.logs));
      expect((await bed.gw.post("/ntfy/ops", { body: "after the reload" })).status).toBe(200);
      await bed.bob.nextStanza(groupchat("ops@muc.localhost", "after the reload"));
      const presences = bed.bob.received.slice(from).filter((s) => s.name === "presence" && s.attrs.from === "ops@muc.localhost/Alerts");
      expect(presences.map((p) => p.toString())).toEqual([]);
    });

    test("a room that does not exist: ntfy answers 404 in its shape, Slack its error text, and nothing is sent", async () => {
      const ntfy = await bed.gw.post("/ntfy/nowhere", { body: "anyone?" });
      expect(ntfy.status).toBe(404);
      expect(await ntfy.json()).toMatchObject({ http: 404, error: expect.stringContaining("nowhere@muc.localhost") });
      // The room is entered before anyone gets a message: alice, listed too, got none.
      expect((await bed.gw.post("/ntfy/barrier", { body: "barrier" })).status).toBe(200);
      const next = await bed.alice.nextStanza((s) => s.name === "message" && s.getChild("body") !== undefined);
      expect(next.getChildText("body")).toBe("barrier");
      const slack = await bed.gw.post("/slack/T0/B0/bm93aGVyZS1zZWNyZXQtMg", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: "anyone?" }),
      });
      expect(slack.status).toBe(404);
      // Slack's error shape is a short text code; the log and /health carry the room's reason.
      expect(await slack.text()).toBe("room_refused");
    });
  });
