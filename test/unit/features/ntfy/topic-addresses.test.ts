// Topics people write to, in routes.yaml: each listed topic's address and who may write there,
// `from_xmpp:` changing them, and `check` warning of a topic whose address a bot or a
// component_http route takes (the explicit address wins), at file:line:col.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../../src/features/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import type { NtfyRoute } from "../../../../src/features/ntfy/schema.ts";
import type { RouteBase } from "../../../../src/feature-api.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }\n`;

function load(rest: string) {
  const result = loadConfig(HEAD + rest, {}, BUILTIN_PLUGINS);
  if (!result.ok)
    return {
      errors: formatLines(
        "routes.yaml",
        result.diagnostics.filter((d) => !d.severity),
      ),
      warnings: [],
      route: undefined,
    };
  const routes: readonly RouteBase[] = result.config.routes;
  const route = routes.find((r) => r.kind === "ntfy") as NtfyRoute | undefined;
  return { errors: [], warnings: formatLines("routes.yaml", result.warnings), route };
}

describe("a topic's XMPP address", () => {
  test("every listed topic has one, <topic>@<component>, where its own JIDs (not its rooms) may write", () => {
    const { route, warnings } = load(
      [
        "routes:",
        "  - preset: ntfy",
        "    subscribe: {}",
        "    topics:",
        "      Backups: [Admin@localhost, { room: ops@conference.localhost }]",
        "",
      ].join("\n"),
    );
    expect(warnings).toEqual([]);
    expect(route?.addresses).toEqual({ Backups: { jid: "backups@gw.localhost", local: "backups", allow: ["admin@localhost"] } });
  });

  test("from_xmpp: sets another jid and widens or narrows who may write; a topic of to: may have one too", () => {
    const { route, errors } = load(
      [
        "routes:",
        "  - preset: ntfy",
        "    subscribe: {}",
        "    to: ops@localhost",
        "    topics: { alerts: alice@localhost }",
        "    from_xmpp:",
        "      alerts: { jid: Ops-Alerts@gw.localhost, allow: [recipients, bob@localhost, '*@example.org'] }",
        "      deploys: { allow: [] }",
        "",
      ].join("\n"),
    );
    expect(errors).toEqual([]);
    expect(route?.addresses).toEqual({
      alerts: { jid: "ops-alerts@gw.localhost", local: "ops-alerts", allow: ["alice@localhost", "bob@localhost", "*@example.org"] },
      deploys: { jid: "deploys@gw.localhost", local: "deploys", allow: [] },
    });
  });

  test("a jid off the component's domain, a bad allow entry, a topic with no recipients and a room that is not a bare JID are refused where they are", () => {
    const { errors } = load(
      [
        "routes:",
        "  - preset: ntfy",
        "    subscribe: {}",
        "    topics: { alerts: alice@localhost, alerts2: alice@localhost }",
        "    from_xmpp:",
        "      alerts: { jid: alerts@localhost, allow: [alice@localhost/phone] }",
        "      other: {}",
        "      alerts2: { room: ops@conference.localhost/nick }",
        "",
      ].join("\n"),
    );
    expect(errors).toEqual([
      'routes.yaml:7:22  error  routes[0].from_xmpp.alerts.jid  expected a bare JID on the component\'s domain (name@gw.localhost), found "alerts@localhost"',
      'routes.yaml:7:48  error  routes[0].from_xmpp.alerts.allow[0]  expected a bare JID, *@domain, * or recipients, found "alice@localhost/phone"',
      "routes.yaml:8:7  error  routes[0].from_xmpp.other  topic other is not under topics:, and the route has no to: to give it recipients",
      'routes.yaml:9:24  error  routes[0].from_xmpp.alerts2.room  expected a room\'s bare JID (room@conference.example.org), found "ops@conference.localhost/nick"',
    ]);
  });

  test("a bot or a component_http local part of the same name wins; check warns of each shadowed topic", () => {
    const { route, warnings, errors } = load(
      [
        "routes:",
        "  - preset: ntfy",
        "    subscribe: {}",
        "    topics: { alerts: alice@localhost, deploys: alice@localhost, quiet: alice@localhost }",
        "  - plugin: component_http",
        "    path: /hook",
        "    options: { post_url: 'http://127.0.0.1:9/x', local_parts: [deploys] }",
        "bots:",
        "  - jid: alerts@gw.localhost",
        "    allow: ['*']",
        "    commands: [{ match: ping, reply: pong }]",
        "",
      ].join("\n"),
    );
    expect(errors).toEqual([]);
    expect(Object.keys(route?.addresses ?? {})).toEqual(["quiet"]);
    expect(warnings).toEqual([
      "routes.yaml:5:15  warning  routes[0].topics.alerts  topic alerts takes no XMPP messages: its address alerts@gw.localhost is bots[0] (line 10, col 10), which wins; give it another (from_xmpp: { alerts: { jid: … } })",
      "routes.yaml:5:40  warning  routes[0].topics.deploys  topic deploys takes no XMPP messages: its address deploys@gw.localhost is routes[1] (line 8, col 64), which wins; give it another (from_xmpp: { deploys: { jid: … } })",
    ]);
  });

  test("jid: false leaves a topic without an address; of two topics with one address the first keeps it; a catch-all component_http is told what it no longer gets", () => {
    const { route, warnings } = load(
      [
        "routes:",
        "  - preset: ntfy",
        "    subscribe: {}",
        "    topics: { Alerts: alice@localhost, alerts: bob@localhost, quiet: alice@localhost }",
        "    from_xmpp: { quiet: { jid: false } }",
        "  - plugin: component_http",
        "    path: /hook",
        "    options: { post_url: 'http://127.0.0.1:9/x' }",
        "",
      ].join("\n"),
    );
    expect(route?.addresses).toEqual({ Alerts: { jid: "alerts@gw.localhost", local: "alerts", allow: ["alice@localhost"] } });
    expect(warnings).toEqual([
      "routes.yaml:5:15  warning  routes[0].topics.Alerts  the stanzas to alerts@gw.localhost go to these topics, not to routes[1] (line 7, col 13), which takes every other JID of the component; from_xmpp: { <topic>: { jid: false } } leaves a topic without an address",
      "routes.yaml:5:40  warning  routes[0].topics.alerts  topic alerts takes no XMPP messages: its address alerts@gw.localhost is topic Alerts of routes[0] (line 5, col 15) first; give it another (from_xmpp: { alerts: { jid: … } })",
    ]);
  });

  test("a route without subscribe: has no addresses, as before, and from_xmpp: there is refused", () => {
    const plain = load(["routes:", "  - preset: ntfy", "    topics: { alerts: alice@localhost }", ""].join("\n"));
    expect(plain.route?.addresses).toEqual({});
    const refused = load(
      ["routes:", "  - preset: ntfy", "    topics: { alerts: alice@localhost }", "    from_xmpp: { alerts: {} }", ""].join("\n"),
    );
    expect(refused.errors).toEqual([
      "routes.yaml:5:5  error  routes[0].from_xmpp  from_xmpp: needs subscribe: (what people write to a topic is read through the subscribe API)",
    ]);
  });
});
