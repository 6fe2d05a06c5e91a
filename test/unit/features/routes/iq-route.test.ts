// iq round trips: a route whose template is an <iq type="get|set"> answers with the iq's reply.
// In-process: the handler talks to a real IqCaller whose stanzas the test answers by hand.
import { describe, expect, test } from "bun:test";
import { parse, type Element } from "ltx";
import { declarativeHandler } from "../../../../src/features/routes/handler.ts";
import { IqCaller } from "../../../../src/xmpp/iq-caller.ts";
import { HTTP_STATUS_OF_STANZA_ERROR } from "../../../../src/plugin-api/errors.ts";
import type { DeclarativeRouteConfig } from "../../../../src/features/index.ts";
import { loadConfig } from "../../../../src/features/index.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { formatDiagnostics } from "../../../../src/config/diagnostics.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost, iq_timeout_ms: 5000 }\nstore: ":memory:"\n`;

const ROUTES = `
routes:
  - path: /version/:host
    method: GET
    send: <iq type="get" to="{{ params.host }}"><query xmlns="jabber:iq:version"/></iq>
    respond:
      name: "{{ reply.query.name }}"
      version: "{{ reply.query.version }}"
      os: "{{ reply.query.os }}"
  - path: /raw/:host
    method: GET
    timeout_ms: 150
    send: <iq type="get" to="{{ params.host }}"><ping xmlns="urn:xmpp:ping"/></iq>
  - path: /items/:host
    method: GET
    send: <iq type="get" to="{{ params.host }}"><query xmlns="http://jabber.org/protocol/disco#items"/></iq>
    respond:
      host: "{{ params.host }}"
      items: "{{ reply.query.item* }}"
      first: "first is {{ reply.query.item.jid }}"
`;

function harness(online = true) {
  const sent: Element[] = [];
  const caller = new IqCaller(async (el) => void sent.push(el), 5_000);
  const routes = loadTestConfig(HEAD + ROUTES).routes as DeclarativeRouteConfig[];
  const handler = (path: string) => {
    const route = routes.find((r) => r.path === path) as DeclarativeRouteConfig;
    return declarativeHandler(route, {
      auth: undefined,
      component: "gw.localhost",
      maxBodyBytes: 1_000,
      newId: () => "id-1",
      deliver: () => Promise.reject(new Error("an iq must never reach the outbox")),
      iq: { request: (iq, ms) => caller.request(iq, ms), isOnline: () => online, defaultTimeoutMs: 5_000 },
    });
  };
  /** Waits (bounded) for the iq the route sent, then answers it with `xml` (id and addresses filled in). */
  const answer = async (xml: string) => {
    await waitFor(() => sent.length > 0, 1_000, "the route's iq", undefined, 1);
    const iq = sent.shift() as Element;
    const reply = parse(xml);
    Object.assign(reply.attrs, { id: iq.attrs.id, from: iq.attrs.to, to: iq.attrs.from });
    expect(caller.settle(reply)).toBe(true);
    return iq;
  };
  return { sent, handler, answer };
}

const get = (url: string, headers: Record<string, string> = {}) => ({
  request: new Request(`http://gw${url}`, { headers }),
  ip: "1.1.1.1",
});

describe("a result", () => {
  test("GET /version/:host sends the XEP-0092 query and answers respond: as JSON", async () => {
    const { handler, answer } = harness();
    const pending = handler("/version/:host")({ ...get("/version/localhost"), params: { host: "localhost" } });
    const iq = await answer(
      `<iq type="result"><query xmlns="jabber:iq:version"><name>Prosody</name><version>0.12.4</version><os>Linux</os></query></iq>`,
    );
    expect(iq.toString()).toBe(`<iq type="get" to="localhost" from="gw.localhost" id="id-1"><query xmlns="jabber:iq:version"/></iq>`);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "Prosody", version: "0.12.4", os: "Linux" });
  });

  test("an absent field of the reply is null", async () => {
    const { handler, answer } = harness();
    const pending = handler("/version/:host")({ ...get("/version/localhost"), params: { host: "localhost" } });
    await answer(`<iq type="result"><query xmlns="jabber:iq:version"><name>ejabberd</name><version>23.01</version></query></iq>`);
    expect(await (await pending).json()).toEqual({ name: "ejabberd", version: "23.01", os: null });
  });

  test("without respond: the reply's type, sender and the stanza itself", async () => {
    const { handler, answer } = harness();
    const pending = handler("/raw/:host")({ ...get("/raw/localhost"), params: { host: "localhost" } });
    await answer(`<iq type="result"/>`);
    expect(await (await pending).json()).toEqual({
      type: "result",
      from: "localhost",
      stanza: `<iq type="result" id="id-1" from="localhost" to="gw.localhost"/>`,
    });
  });

  test("Accept: application/xml (or text/xml) gets the stanza as XML", async () => {
    for (const accept of ["application/xml", "text/xml, application/json;q=0.5"]) {
      const { handler, answer } = harness();
      const pending = handler("/raw/:host")({ ...get("/raw/localhost", { accept }), params: { host: "localhost" } });
      await answer(`<iq type="result"/>`);
      const res = await pending;
      expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
      expect(await res.text()).toBe(`<iq type="result" id="id-1" from="localhost" to="gw.localhost"/>`);
    }
  });

  test("disco#items: item* is every <item/> as a list of attribute objects; params and text mix", async () => {
    const { handler, answer } = harness();
    const pending = handler("/items/:host")({ ...get("/items/localhost"), params: { host: "localhost" } });
    await answer(
      `<iq type="result"><query xmlns="http://jabber.org/protocol/disco#items"><item jid="muc.localhost" name="Rooms"/><item jid="upload.localhost"/></query></iq>`,
    );
    expect(await (await pending).json()).toEqual({
      host: "localhost",
      items: [{ jid: "muc.localhost", name: "Rooms" }, { jid: "upload.localhost" }],
      first: "first is muc.localhost",
    });
  });
});

describe("an error reply", () => {
  const cases: Array<[string, number]> = [
    ["item-not-found", 404],
    ["forbidden", 403],
    ["not-authorized", 403],
    ["service-unavailable", 503],
    ["remote-server-timeout", 504],
    ["feature-not-implemented", 501],
    ["bad-request", 400],
    ["conflict", 409],
    ["some-future-condition", 502],
  ];
  for (const [condition, status] of cases) {
    test(`${condition} is ${status} with the condition, type and text`, async () => {
      const { handler, answer } = harness();
      const pending = handler("/raw/:host")({ ...get("/raw/localhost"), params: { host: "localhost" } });
      await answer(
        `<iq type="error"><error type="cancel"><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">why</text></error></iq>`,
      );
      const res = await pending;
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error: "why", code: "XMPP_ERROR", condition, type: "cancel", text: "why", from: "localhost" });
    });
  }

  test("the table maps every RFC 6120 §8.3.3 condition", () => {
    const rfc6120 = [
      "bad-request",
      "conflict",
      "feature-not-implemented",
      "forbidden",
      "gone",
      "internal-server-error",
      "item-not-found",
      "jid-malformed",
      "not-acceptable",
      "not-allowed",
      "not-authorized",
      "policy-violation",
      "recipient-unavailable",
      "redirect",
      "registration-required",
      "remote-server-not-found",
      "remote-server-timeout",
      "resource-constraint",
      "service-unavailable",
      "subscription-required",
      "undefined-condition",
      "unexpected-request",
    ];
    expect(rfc6120.filter((c) => HTTP_STATUS_OF_STANZA_ERROR[c] === undefined)).toEqual([]);
  });
});

describe("no answer", () => {
  test("past the route's timeout_ms: 504 XMPP_TIMEOUT", async () => {
    const { handler, sent } = harness();
    const res = await handler("/raw/:host")({ ...get("/raw/nobody.localhost"), params: { host: "nobody.localhost" } });
    expect(sent).toHaveLength(1);
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ error: "No answer from nobody.localhost within 150 ms", code: "XMPP_TIMEOUT", timeout_ms: 150 });
  });

  test("offline: 503 LINK_DOWN at once, nothing sent nor queued", async () => {
    const { handler, sent } = harness(false);
    const res = await handler("/raw/:host")({ ...get("/raw/localhost"), params: { host: "localhost" } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: "LINK_DOWN" });
    expect(sent).toEqual([]);
  });
});

describe("check", () => {
  const problems = (routes: string) => {
    const result = loadConfig(HEAD + routes, {}, BUILTIN_PLUGINS);
    return result.ok ? "" : formatDiagnostics("routes.yaml", result.diagnostics);
  };

  test("respond: and timeout_ms on a route that sends a message are errors", () => {
    const out = problems(
      `routes:\n  - path: /m\n    timeout_ms: 500\n    respond: { a: "{{ reply.type }}" }\n    send: <message to="a@localhost"><body>x</body></message>\n`,
    );
    expect(out).toContain('routes[0].timeout_ms  timeout_ms applies only when send: is an <iq type="get"> or <iq type="set">');
    expect(out).toContain('routes[0].respond  respond applies only when send: is an <iq type="get">');
  });

  test("a respond placeholder with an unknown root or a missing param is reported where it is", () => {
    const out = problems(
      `routes:\n  - path: /v/:host\n    method: GET\n    send: <iq type="get" to="{{ params.host }}"><query xmlns="jabber:iq:version"/></iq>\n    respond: { a: "{{ replay.query }}" }\n`,
    );
    expect(out).toContain(
      `routes.yaml:7:19  error  routes[0].respond.a  bad respond template: "{{ replay.query }}" must start with one of reply, params, query, body, user`,
    );
    const params = problems(
      `routes:\n  - path: /v/:host\n    method: GET\n    send: <iq type="get" to="{{ params.host }}"><query xmlns="jabber:iq:version"/></iq>\n    respond: { b: "{{ params.hots }}" }\n`,
    );
    expect(params).toContain("routes[0].respond  respond uses {{ params.hots }} but the path /v/:host has no :hots");
  });
});
