// Who gets a stanza addressed to the component (src/xmpp/router.ts, docs/configuration.md "Who gets a stanza"),
// and `check` refusing two routes that claim the same stanzas, naming both places.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { formatDiagnostics } from "../../src/config/diagnostics.ts";
import { loadConfig } from "../../src/features/index.ts";
import { silentLogger } from "../../src/log.ts";
import { StanzaRouter } from "../../src/xmpp/router.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:5347", component: gw.example.com, host: example.com, secret: s }\nstore: ":memory:"\nauth:\n  ops: { kind: bearer, tokens: [{ name: a, token: "0123456789abcdef0123" }] }\n`;

function routerWith(order: string[]) {
  const replies: Element[] = [];
  const router = new StanzaRouter("gw.example.com", (el) => void replies.push(el), silentLogger);
  const took = (name: string) => () => (order.push(name), true);
  return { router, replies, took };
}

describe("a stanza addressed to the component goes to", () => {
  test("the owner of its exact address first, before answers, local parts and catch-alls registered earlier", async () => {
    const order: string[] = [];
    const { router, took } = routerWith(order);
    router.add(took("catch-all"));
    router.add(took("local part"), { localParts: ["bot"] });
    router.add(took("answers"), { answers: true });
    router.add(took("address"), { address: "bot@GW.example.com/room" });
    await router.dispatch(xml("message", { to: "bot@gw.example.com/room", from: "a@example.com" }));
    expect(order).toEqual(["address"]);
  });

  test("the route serving its local part before a catch-all route, whatever their order", async () => {
    const order: string[] = [];
    const { router, took } = routerWith(order);
    router.add(took("catch-all"));
    router.add(took("local part"), { localParts: ["Bot"] });
    await router.dispatch(xml("message", { to: "bot@gw.example.com", from: "a@example.com" }));
    await router.dispatch(xml("message", { to: "other@gw.example.com", from: "a@example.com" }));
    expect(order).toEqual(["local part", "catch-all"]);
  });

  test("nobody: a chat message gets service-unavailable back, a groupchat message nothing", async () => {
    const { router, replies } = routerWith([]);
    await router.dispatch(xml("message", { to: "x@gw.example.com", from: "a@example.com", id: "1" }));
    await router.dispatch(xml("message", { to: "x@gw.example.com", from: "room@muc.example.com/a", type: "groupchat" }));
    expect(replies.map(String)).toEqual([
      '<message to="a@example.com" from="x@gw.example.com" id="1" type="error"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>',
    ]);
  });
});

describe("check", () => {
  test("refuses two routes claiming the same stanzas, naming both places", () => {
    const routes = [
      "routes:",
      "  - plugin: component_http",
      '    options: { post_url: "http://a/", local_parts: [bot, echo] }',
      "  - plugin: component_http",
      '    options: { post_url: "http://b/", local_parts: [Echo] }',
      "  - plugin: component_http",
      '    options: { post_url: "http://c/" }',
      "  - plugin: component_http",
      '    options: { post_url: "http://d/" }',
      "  - { plugin: muc_kick, auth: ops, options: { resource: kicker } }",
      "  - { plugin: muc_kick, path: /other, auth: ops, options: { resource: kicker } }",
    ].join("\n");
    const result = loadConfig(`${HEAD}${routes}\n`, {}, BUILTIN_PLUGINS);
    expect(result.ok ? "ok" : formatDiagnostics("routes.yaml", result.diagnostics).split("\n")).toEqual([
      'routes.yaml:9:53  error  routes[1].options.local_parts[0]  local part "echo" is already claimed by routes[0] (line 7, col 58): only one route can get these stanzas',
      "routes.yaml:12:13  error  routes[3].plugin  every JID of the component (no local_parts) is already claimed by routes[2] (line 10, col 13): only one route can get these stanzas",
      "routes.yaml:15:71  error  routes[5].options.resource  address gw.example.com/kicker is already claimed by routes[4] (line 14, col 57): only one route can get these stanzas",
      "3 errors — not started",
    ]);
  });
});
