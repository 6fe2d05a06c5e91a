// roster_admin end to end against each real server (Prosody, ejabberd): a web app (Bun.serve) holds
// the contacts, the server's mod_privilege holds the rosters, real clients watch their rosters change.
// ejabberd 23.01 answers every privileged roster set with wait/internal-server-error (its bug, fixed
// in later releases): there the cases that write rosters assert that answer instead.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import type { Server } from "bun";
import { testServers } from "../../helpers/servers.ts";
import { connectClient, type TestClient } from "../../../testbed/xmpp-client.ts";
import { logTail, type TestGateway } from "../../helpers/gateway.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { freePort } from "../../../testbed/ports.ts";

const AUTH = "Secret roster-admin-test";
const NS_ROSTER = "jabber:iq:roster";

type Friend = { name?: string; groups?: string[] | Record<string, boolean> };

/** The web app: contacts per user, users whose URL answers 500, and every request it saw. */
interface WebApp {
  url: string;
  contacts: Record<string, Record<string, Friend>>;
  failing: Set<string>;
  requests: Array<{ path: string; accept: string | null }>;
  stop(): void;
}

function startWebApp(): WebApp {
  const app = { contacts: {}, failing: new Set<string>(), requests: [] } as Omit<WebApp, "url" | "stop">;
  const server: Server<unknown> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      app.requests.push({ path, accept: request.headers.get("accept") });
      const user = decodeURIComponent(path.replace(/^\/contacts\//, ""));
      if (app.failing.has(user)) return new Response("database on fire", { status: 500 });
      return Response.json(app.contacts[user] ?? {});
    },
  });
  return Object.assign(app, { url: `http://127.0.0.1:${server.port}`, stop: () => void server.stop(true) });
}

const routes = (webAppUrl: string, deadPort: number) => `
auth:
  webapp: { kind: header, value: "${AUTH}" }
routes:
  - plugin: roster_admin
    auth: webapp
    options:
      roster_url: "${webAppUrl}/contacts/%s"
  - plugin: roster_admin
    path: /roster_admin_down
    auth: webapp
    options:
      roster_url: "http://127.0.0.1:${deadPort}/contacts/%s"
      sync_on_login: false
  - plugin: roster_admin
    path: /roster_admin_batch
    auth: webapp
    options:
      roster_url: "${webAppUrl}/contacts/%s"
      sync_on_login: false
      items_per_set: 10
`;

const isRosterPush = (s: Element) => s.name === "iq" && s.attrs.type === "set" && s.getChild("query", NS_ROSTER) !== undefined;

/** Items as comparable objects: jid, subscription, name, groups. */
function items(stanza: Element): Array<Record<string, unknown>> {
  const list = stanza.getChild("query", NS_ROSTER)?.getChildren("item") ?? [];
  return list
    .map((i) => ({
      jid: i.attrs.jid,
      subscription: i.attrs.subscription,
      name: i.attrs.name,
      groups: i
        .getChildren("group")
        .map((g) => g.getText())
        .sort(),
    }))
    .sort(byJid);
}

function byJid(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a.jid).localeCompare(String(b.jid));
}

const rosterGet = (client: TestClient) => client.iq(xml("iq", { type: "get" }, xml("query", { xmlns: NS_ROSTER })));

/** Roster push items `client` received since `mark` (an index into `received`), by JID; a roster get first flushes its stream. */
async function pushesSince(client: TestClient, mark: number): Promise<Array<Record<string, unknown>>> {
  await rosterGet(client);
  return client.received.slice(mark).filter(isRosterPush).flatMap(items).sort(byJid);
}

const post = (gw: TestGateway, path: string, body: string, headers: Record<string, string> = { authorization: AUTH }) =>
  gw.post(path, { headers: { "content-type": "application/json", ...headers }, body });

for (const server of testServers())
  describe(server.name, () => {
    let webApp: WebApp;
    let alice: TestClient;

    // alice logs in during the tests (her login is what syncs her roster): stopped before the bed stops.
    afterAll(() => alice?.stop());
    beforeAll(() => void (webApp = startWebApp()));
    const bed = useTestBed(server, { gateway: async () => ({ routes: routes(webApp.url, await freePort()), waitForPrivileges: true }) });
    afterAll(() => webApp?.stop());

    /** The route's entry in /health's `plugins`. */
    const writeHealth = async (path: string) => {
      const body = (await (await fetch(`${bed.gw.url}/health`)).json()) as { plugins?: Array<Record<string, unknown>> };
      return body.plugins?.find((p) => p.path === path);
    };

    test(`items_per_set auto: the gateway learns the server (${server.name}) and puts ${server.name === "prosody" ? "100 items per set (mod_privilege takes them)" : "one item per set (RFC 6121 §2.1.5)"}`, async () => {
      await waitFor(
        () => bed.gw.logs.some((l) => l.msg === "XMPP server software"),
        10_000,
        "the server software to be learned",
        logTail(bed.gw.logs),
      );
      const health = (await (await fetch(`${bed.gw.url}/health`)).json()) as { xmpp: { server?: string } };
      // The test bed's Prosody loads no mod_version (XEP-0092): its disco#info identity names it.
      expect(health.xmpp.server).toMatch(server.name === "prosody" ? /^Prosody$/ : /^ejabberd 23\./);
      expect(await writeHealth("/roster_admin")).toMatchObject({ items_per_set: server.name === "prosody" ? 100 : 1 });
      expect(await writeHealth("/roster_admin_batch")).toMatchObject({ items_per_set: 10 });
    });

    describe("roster_admin with roster permission both", () => {
      if (server.name === "ejabberd") {
        test("ejabberd 23.01 bug: a privileged roster set is answered wait/internal-server-error; the refresh counts the user in errors and /health says roster writes are failing", async () => {
          webApp.contacts.alice = { "bob@localhost": { name: "Bob", groups: ["Friends"] } };
          const many = await post(bed.gw, "/roster_admin/refresh", '["alice"]');
          expect(await many.json()).toEqual({ status: "ok", message: "roster update complete", updated: 0, errors: 1 });
          const one = await fetch(`${bed.gw.url}/roster_admin/refresh/alice`, { headers: { authorization: AUTH } });
          expect(one.status).toBe(502);
          expect(await one.json()).toEqual({
            status: "error",
            message: "XMPP server refused the roster set: internal-server-error: Module failed to handle the query",
          });
          expect(await writeHealth("/roster_admin")).toMatchObject({
            plugin: "roster_admin",
            roster_writes: "failing",
            last_error: { code: "XMPP_ERROR", condition: "internal-server-error" },
          });
        });

        test("ejabberd refuses a set of several items with bad-request (RFC 6121 §2.1.5), so items_per_set stays 1 there", async () => {
          webApp.contacts.bob = { "x1@localhost": {}, "x2@localhost": {} };
          const res = await fetch(`${bed.gw.url}/roster_admin_batch/refresh/bob`, { headers: { authorization: AUTH } });
          expect(res.status).toBe(502);
          expect(await res.json()).toEqual({
            status: "error",
            message: "XMPP server refused the roster set: bad-request: Multiple <item/> elements are not allowed by RFC6121",
          });
        });
      } else {
        test("items_per_set 10 writes several items per set, which Prosody's mod_privilege accepts", async () => {
          webApp.contacts.bob = { "x1@localhost": { name: "X1" }, "x2@localhost": { name: "X2" }, "x3@localhost": {} };
          const res = await fetch(`${bed.gw.url}/roster_admin_batch/refresh/bob`, { headers: { authorization: AUTH } });
          expect(await res.json()).toEqual({ status: "ok", message: "roster update complete" });
          const bob = await connectClient(bed.server, "bob", { presence: false });
          try {
            expect(items(await rosterGet(bob)).map((i) => i.jid)).toEqual(["x1@localhost", "x2@localhost", "x3@localhost"]);
          } finally {
            await bob.stop();
          }
          expect(await writeHealth("/roster_admin_batch")).toMatchObject({ plugin: "roster_admin", roster_writes: "ok" });
        });

        test("alice logs in and gets the web app's roster: names, groups, subscription both", async () => {
          webApp.contacts.alice = {
            "bob@localhost": { name: "Bob", groups: ["Friends"] },
            "carol@localhost": { name: "Carol" },
            "erin@example.net": { name: "Erin", groups: { Work: true } },
          };
          alice = await connectClient(bed.server, "alice", { presence: false });
          expect(items(await rosterGet(alice))).toEqual([]);
          await alice.send(xml("presence"));
          const pushes = (await alice.collect(isRosterPush, 3)).flatMap(items);
          const expected = [
            { jid: "bob@localhost", subscription: "both", name: "Bob", groups: ["Friends"] },
            { jid: "carol@localhost", subscription: "both", name: "Carol", groups: [] },
            { jid: "erin@example.net", subscription: "both", name: "Erin", groups: ["Work"] },
          ];
          expect(pushes.sort(byJid)).toEqual(expected);
          expect(items(await rosterGet(alice))).toEqual(expected);
          expect(webApp.requests.at(-1)).toEqual({ path: "/contacts/alice", accept: "application/json, text/plain, */*" });
        });

        test("after the web app changes, POST refresh answers the summary and pushes only the differences", async () => {
          webApp.contacts.alice = {
            "bob@localhost": { name: "Bobby", groups: ["Friends", "Work"] },
            "dave@example.org": { name: "Dave" },
            "erin@example.net": { name: "Erin", groups: ["Work"] },
          };
          const mark = alice.received.length;
          const res = await post(bed.gw, "/roster_admin/refresh", '["alice"]');
          expect(res.status).toBe(200);
          expect(res.headers.get("content-type")).toBe("application/json");
          expect(await res.text()).toBe('{"status":"ok","message":"roster update complete","updated":1,"errors":0}');
          expect(await pushesSince(alice, mark)).toEqual([
            { jid: "bob@localhost", subscription: "both", name: "Bobby", groups: ["Friends", "Work"] },
            { jid: "carol@localhost", subscription: "remove", name: undefined, groups: [] },
            { jid: "dave@example.org", subscription: "both", name: "Dave", groups: [] },
          ]);
        });

        test("a refresh with nothing changed asks the web app and pushes nothing", async () => {
          const asked = webApp.requests.length;
          const mark = alice.received.length;
          const res = await post(bed.gw, "/roster_admin/refresh", '["alice"]');
          expect(await res.json()).toEqual({ status: "ok", message: "roster update complete", updated: 1, errors: 0 });
          expect(webApp.requests.length).toBe(asked + 1);
          expect(await pushesSince(alice, mark)).toEqual([]);
        });

        test("GET refresh/<username> syncs that one user", async () => {
          webApp.contacts.alice = { ...webApp.contacts.alice, "frank@localhost": { name: "Frank" } };
          const mark = alice.received.length;
          const res = await fetch(`${bed.gw.url}/roster_admin/refresh/alice`, { headers: { authorization: AUTH } });
          expect(res.status).toBe(200);
          expect(await res.text()).toBe('{"status":"ok","message":"roster update complete"}');
          expect(await pushesSince(alice, mark)).toEqual([{ jid: "frank@localhost", subscription: "both", name: "Frank", groups: [] }]);
        });

        test("a refresh syncs an offline user too: carol finds her roster at her next login", async () => {
          webApp.contacts.carol = { "alice@localhost": { name: "Alice", groups: ["Team"] } };
          const res = await post(bed.gw, "/roster_admin/refresh", '["carol"]');
          expect(await res.json()).toEqual({ status: "ok", message: "roster update complete", updated: 1, errors: 0 });
          const carol = await connectClient(bed.server, "carol", { presence: false });
          try {
            expect(items(await rosterGet(carol))).toEqual([
              { jid: "alice@localhost", subscription: "both", name: "Alice", groups: ["Team"] },
            ]);
          } finally {
            await carol.stop();
          }
        });

        test("a name or group with characters XML cannot carry arrives without them, and the component stream stays up", async () => {
          webApp.contacts.carol = {
            ...webApp.contacts.carol,
            "gina@localhost": { name: "Gi\u0001na", groups: ["Fr\u0000iends", "\u0007"] },
          };
          const res = await post(bed.gw, "/roster_admin/refresh", '["carol"]');
          expect(await res.json()).toEqual({ status: "ok", message: "roster update complete", updated: 1, errors: 0 });
          expect(
            bed.gw.logs.filter(
              (l) => l.msg === "web app sent characters XML cannot carry in a contact; dropped them" && l.contact === "gina@localhost",
            ),
          ).toHaveLength(3);
          const carol = await connectClient(bed.server, "carol", { presence: false });
          try {
            const gina = items(await rosterGet(carol)).find((i) => i.jid === "gina@localhost");
            expect(gina).toEqual({ jid: "gina@localhost", subscription: "both", name: "Gina", groups: ["Friends"] });
          } finally {
            await carol.stop();
          }
          // Still connected: the next sync goes through the same component stream.
          const again = await fetch(`${bed.gw.url}/roster_admin/refresh/alice`, { headers: { authorization: AUTH } });
          expect(await again.json()).toEqual({ status: "ok", message: "roster update complete" });
        });

        test("a user's own contacts are left alone, and a managed item the user changed is reset at login", async () => {
          await alice.iq(
            xml("iq", { type: "set" }, xml("query", { xmlns: NS_ROSTER }, xml("item", { jid: "zed@example.com", name: "Zed" }))),
          );
          await alice.iq(
            xml("iq", { type: "set" }, xml("query", { xmlns: NS_ROSTER }, xml("item", { jid: "dave@example.org", name: "Not Dave" }))),
          );
          await alice.stop();
          alice = await connectClient(bed.server, "alice", { presence: false });
          await rosterGet(alice);
          await alice.send(xml("presence"));
          const [push] = await alice.collect(isRosterPush, 1);
          expect(items(push as Element)).toEqual([{ jid: "dave@example.org", subscription: "both", name: "Dave", groups: [] }]);
          const roster = items(await rosterGet(alice));
          expect(roster.map((i) => i.jid)).toEqual([
            "bob@localhost",
            "dave@example.org",
            "erin@example.net",
            "frank@localhost",
            "zed@example.com",
          ]);
          expect(roster.find((i) => i.jid === "zed@example.com")).toMatchObject({ name: "Zed", subscription: "none" });
          expect(await writeHealth("/roster_admin")).toMatchObject({ plugin: "roster_admin", roster_writes: "ok" });
        });
      }

      test("a web app answering 500 counts as an error; the summary stays ok as the original's did, GET refresh says error", async () => {
        webApp.failing.add("bob");
        try {
          const some = await post(bed.gw, "/roster_admin/refresh", '["carol","bob"]');
          expect(await some.json()).toEqual({ status: "ok", message: "roster update complete", updated: 1, errors: 1 });
          const all = await post(bed.gw, "/roster_admin/refresh", '["bob"]');
          expect(all.status).toBe(200);
          expect(await all.json()).toEqual({ status: "ok", message: "roster update complete", updated: 0, errors: 1 });
          const one = await fetch(`${bed.gw.url}/roster_admin/refresh/bob`, { headers: { authorization: AUTH } });
          expect(one.status).toBe(502);
          expect(await one.json()).toEqual({ status: "error", message: "web app answered HTTP 500" });
        } finally {
          webApp.failing.delete("bob");
        }
      });

      test("a web app that cannot be reached counts as an error too", async () => {
        const many = await post(bed.gw, "/roster_admin_down/refresh", '["alice","bob"]');
        expect(await many.json()).toEqual({ status: "ok", message: "roster update complete", updated: 0, errors: 2 });
        const one = await fetch(`${bed.gw.url}/roster_admin_down/refresh/alice`, { headers: { authorization: AUTH } });
        expect(one.status).toBe(502);
        expect(await one.json()).toMatchObject({ status: "error", message: expect.stringMatching(/^web app unreachable: /) });
      });

      test("an empty list is a complete update of nobody", async () => {
        const res = await post(bed.gw, "/roster_admin/refresh", "[]");
        expect(await res.json()).toEqual({ status: "ok", message: "roster update complete", updated: 0, errors: 0 });
      });

      test.each([
        ["not JSON", "john, aaron", "INVALID_JSON"],
        ["an empty body", "", "INVALID_JSON"],
        ["null", "null", "INVALID_BODY"],
        ["an object", '{"users":["john"]}', "INVALID_BODY"],
        ["an array of numbers", "[1,2]", "INVALID_BODY"],
      ])("refuses %s with 400 and a JSON error", async (_what, body, code) => {
        const res = await post(bed.gw, "/roster_admin/refresh", body);
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ code, error: expect.stringContaining("JSON array of usernames") });
      });

      test("refuses callers without the configured Authorization header", async () => {
        expect((await post(bed.gw, "/roster_admin/refresh", '["alice"]', {})).status).toBe(401);
        expect((await post(bed.gw, "/roster_admin/refresh", '["alice"]', { authorization: "Secret wrong" })).status).toBe(401);
      });
    });

    describe("roster_admin without XEP-0356 privileges", () => {
      const bare = useTestBed(server, {
        server: { privileges: null },
        gateway: async () => ({ routes: routes(webApp.url, await freePort()) }),
      });

      test("warns at start-up, naming the missing permission", async () => {
        const warned = () => bare.gw.logs.some((l) => l.level === "warn" && String(l.msg).includes('roster permission "both"'));
        await waitFor(warned, 10_000, "the missing-privilege warning", logTail(bare.gw.logs));
      });

      test("the refresh endpoints answer 503 PRIVILEGE_MISSING", async () => {
        const expected = { code: "PRIVILEGE_MISSING", permission: "roster", required: "both", granted: "none" };
        const many = await post(bare.gw, "/roster_admin/refresh", '["alice"]');
        expect(many.status).toBe(503);
        expect(await many.json()).toMatchObject(expected);
        const one = await fetch(`${bare.gw.url}/roster_admin/refresh/alice`, { headers: { authorization: AUTH } });
        expect(one.status).toBe(503);
        expect(await one.json()).toMatchObject(expected);
      });
    });
  });
