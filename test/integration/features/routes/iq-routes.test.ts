// iq round trips against real servers: the GET /version/:host and disco examples of docs/configuration.md.
import { describe, expect, test } from "bun:test";
import { serverKind, testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";

// The examples of docs/configuration.md ("iq round trips"), as written there.
const ROUTES = `
routes:
  - path: /version/:host
    method: GET
    send: <iq type="get" to="{{ params.host }}"><query xmlns="jabber:iq:version"/></iq>
    respond:
      name: "{{ reply.query.name }}"
      version: "{{ reply.query.version }}"
      os: "{{ reply.query.os }}"
  - path: /items/:jid
    method: GET
    timeout_ms: 3000
    send: <iq type="get" to="{{ params.jid }}"><query xmlns="http://jabber.org/protocol/disco#items"/></iq>
    respond:
      items: "{{ reply.query.item* }}"
  - path: /info/:jid
    method: GET
    send: <iq type="get" to="{{ params.jid }}"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>
`;

for (const server of testServers())
  describe(server.name, () => {
    // mod_version answers jabber:iq:version (XEP-0092); ejabberd's test bed loads it by default.
    const bed = useTestBed(server, { server: { prosody: { extraModules: ["version"] } }, gateway: { routes: ROUTES } });

    const get = (path: string, headers: Record<string, string> = {}) => fetch(bed.gw.url + path, { headers });

    test("GET /version/localhost answers the server's name and version", async () => {
      const res = await get(`/version/${bed.server.host}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.name).toBe(server.name === "prosody" ? "Prosody" : "ejabberd");
      expect(body.version).toMatch(server.name === "prosody" ? /^0\.12\./ : /^23\.01/);
      expect(Object.keys(body).sort()).toEqual(["name", "os", "version"]);
    });

    test("Accept: application/xml answers the reply stanza itself", async () => {
      const res = await get(`/version/${bed.server.host}`, { accept: "application/xml" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
      const text = await res.text();
      expect(text).toStartWith("<iq");
      expect(text).toContain(`type="result"`);
      expect(text).toContain(`xmlns="jabber:iq:version"`);
    });

    test("disco#items of the host lists its MUC service", async () => {
      const res = await get(`/items/${bed.server.host}`);
      expect(res.status).toBe(200);
      const { items } = (await res.json()) as { items: Array<{ jid: string }> };
      expect(items.map((i) => i.jid)).toContain(bed.server.mucDomain);
    });

    test("an item-not-found answer is 404 with the condition", async () => {
      const res = await get(`/info/no-such-room@${bed.server.mucDomain}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        code: "XMPP_ERROR",
        condition: "item-not-found",
        type: "cancel",
        from: `no-such-room@${bed.server.mucDomain}`,
      });
    });

    test("without respond: the JSON carries the reply's type, sender and stanza", async () => {
      const res = await get(`/info/${bed.server.host}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { type: string; from: string; stanza: string };
      expect(body).toMatchObject({ type: "result", from: bed.server.host });
      expect(body.stanza).toContain("http://jabber.org/protocol/disco#info");
    });
  });

// docs/configuration.md: GET /version/... needs the server's version module. The test bed's
// Prosody loads none unless asked, so this one is a server without it.
if (testServers().some((s) => s.name === "prosody"))
  describe("prosody without its version module", () => {
    const bare = useTestBed(serverKind("prosody"), { gateway: { routes: ROUTES } });

    test("GET /version/localhost is 503 XMPP_ERROR service-unavailable, as the docs say", async () => {
      const res = await fetch(`${bare.gw.url}/version/${bare.server.host}`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: "XMPP_ERROR", condition: "service-unavailable" });
    });
  });
