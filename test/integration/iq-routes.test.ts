// iq round trips against real servers: the README's GET /version/:host and disco examples.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Prosody } from "../../testbed/prosody.ts";
import { testServers } from "../helpers/servers.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";

// The README's examples ("iq round trips"), as written there.
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

for (const server of testServers()) describe(server.name, () => {
let xmpp: Prosody;
let gw: TestGateway;

beforeAll(async () => {
  // mod_version answers jabber:iq:version (XEP-0092); ejabberd's test bed loads it by default.
  xmpp = await server.start({ prosody: { extraModules: ["version"] } });
  gw = await startGateway(xmpp, { routes: ROUTES });
});

afterAll(async () => {
  await gw?.stop();
  await xmpp?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(gw.url + path, { headers });

test("GET /version/localhost answers the server's name and version", async () => {
  const res = await get(`/version/${xmpp.host}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.name).toBe(server.name === "prosody" ? "Prosody" : "ejabberd");
  expect(body.version).toMatch(server.name === "prosody" ? /^0\.12\./ : /^23\.01/);
  expect(Object.keys(body).sort()).toEqual(["name", "os", "version"]);
});

test("Accept: application/xml answers the reply stanza itself", async () => {
  const res = await get(`/version/${xmpp.host}`, { accept: "application/xml" });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
  const text = await res.text();
  expect(text).toStartWith("<iq");
  expect(text).toContain(`type="result"`);
  expect(text).toContain(`xmlns="jabber:iq:version"`);
});

test("disco#items of the host lists its MUC service", async () => {
  const res = await get(`/items/${xmpp.host}`);
  expect(res.status).toBe(200);
  const { items } = (await res.json()) as { items: Array<{ jid: string }> };
  expect(items.map((i) => i.jid)).toContain(xmpp.mucDomain);
});

test("an item-not-found answer is 404 with the condition", async () => {
  const res = await get(`/info/no-such-room@${xmpp.mucDomain}`);
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ code: "XMPP_ERROR", condition: "item-not-found", type: "cancel", from: `no-such-room@${xmpp.mucDomain}` });
});

test("without respond: the JSON carries the reply's type, sender and stanza", async () => {
  const res = await get(`/info/${xmpp.host}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { type: string; from: string; stanza: string };
  expect(body).toMatchObject({ type: "result", from: xmpp.host });
  expect(body.stanza).toContain("http://jabber.org/protocol/disco#info");
});
});
