// Room entries in a sender format's `to:` (and ntfy's `topics:`): what `check` accepts and refuses,
// at file:line:col, and the route each format compiles (its rooms by bare JID).
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../src/features/index.ts";
import { formatLines } from "../../../src/config/diagnostics.ts";
import { BUILTIN_PLUGINS } from "../../../plugins/index.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
auth:
  app: { kind: bearer, tokens: [{ name: app, token: "0123456789abcdef0123" }] }
`;
const SLACK = "/slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x";

function load(routes: string) {
  return loadConfig(`${HEAD}routes:\n${routes}`, {}, BUILTIN_PLUGINS);
}

function errors(routes: string): string[] {
  const result = load(routes);
  return result.ok
    ? []
    : formatLines(
        "routes.yaml",
        result.diagnostics.filter((d) => !d.severity),
      );
}

function compiled(routes: string): Array<Record<string, unknown>> {
  const result = load(routes);
  if (!result.ok) throw new Error(formatLines("routes.yaml", result.diagnostics).join("\n"));
  return result.config.routes as unknown as Array<Record<string, unknown>>;
}

describe("room entries in to:", () => {
  test("every format takes a JID, a room entry, or a list mixing them; the route keeps its rooms by bare JID", () => {
    const routes = compiled(
      [
        `  - { preset: slack, path: ${SLACK}, to: [bob@localhost, { room: Ops@Conference.localhost, nick: Alerts }] }`,
        `  - { preset: mattermost, path: /hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e, to: { room: ops@conference.localhost, password: sesame } }`,
        "  - { preset: gotify, path: /gotify, auth: app, to: [{ room: ops@conference.localhost }] }",
        "  - { preset: apprise, path: /apprise, to: { room: ops@conference.localhost } }",
        "  - { preset: teams, path: /teams/0123456789abcdef0123, to: { room: ops@conference.localhost } }",
        "  - { preset: discord, path: /api/webhooks/1/0123456789abcdef0123, to: { room: ops@conference.localhost } }",
        "  - { preset: ntfy, path: /ntfy, to: alice@localhost, topics: { ops: { room: ops@conference.localhost, nick: N } } }",
        "",
      ].join("\n"),
    );
    expect(routes.map((r) => [r.kind, r.rooms])).toEqual([
      ["slack", { "ops@conference.localhost": { nick: "Alerts" } }],
      ["mattermost", { "ops@conference.localhost": { password: "sesame" } }],
      ["gotify", { "ops@conference.localhost": {} }],
      ["apprise", { "ops@conference.localhost": {} }],
      ["teams", { "ops@conference.localhost": {} }],
      ["discord", { "ops@conference.localhost": {} }],
      ["ntfy", { "ops@conference.localhost": { nick: "N" } }],
    ]);
    expect(routes[0]?.to).toEqual(["bob@localhost", "ops@conference.localhost"]);
    expect(routes[6]?.topics).toEqual({ ops: ["ops@conference.localhost"] });
  });

  test("a room that is a full JID or no JID, and an unknown key, are refused where they are written", () => {
    expect(
      errors(
        [
          `  - { preset: slack, path: ${SLACK}, to: [bob@localhost, { room: ops@conference.localhost/nick }] }`,
          "  - { preset: apprise, path: /apprise, to: { room: 'not a jid@' } }",
          "  - { preset: ntfy, topics: { ops: { room: ops@conference.localhost, nik: N } } }",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      `routes.yaml:5:91  error  routes[0].to[1].room  "ops@conference.localhost/nick" is not a room's bare JID (room@conference.example.org)`,
      `routes.yaml:6:52  error  routes[1].to.room  "not a jid@" is not a room's bare JID (room@conference.example.org)`,
      'routes.yaml:7:36  error  routes[2].topics.ops  expected a string, an object or an array, found {"room":"ops@conference.localhost","nik":"N"}',
      "routes.yaml:7:70  error  routes[2].topics.ops.nik  unknown key in a room entry (it takes room, nick, password)",
    ]);
  });

  test("one room listed twice with different nicks is refused: the gateway has one seat there", () => {
    expect(
      errors("  - { preset: ntfy, to: { room: a@muc.localhost, nick: X }, topics: { t: { room: a@muc.localhost, nick: Y } } }\n"),
    ).toEqual([expect.stringMatching(/routes\[0\]\.topics\.t {2}room a@muc\.localhost is listed twice with a different nick or password/)]);
  });

  test("neither a string, a room entry nor a list: the alternatives in words (an array, not a array)", () => {
    expect(errors(`  - { preset: slack, path: ${SLACK}, to: 42 }\n`)).toEqual([
      "routes.yaml:5:67  error  routes[0].to  expected a string, an object or an array, found 42",
    ]);
  });
});

describe("a room's JID written as a plain string", () => {
  test("is a chat message to it: check warns where it is written, and says how to write a room", () => {
    const result = load(`  - { preset: slack, path: ${SLACK}, to: [bob@localhost, ops@conference.localhost] }\n`);
    expect(result.ok && formatLines("routes.yaml", result.warnings)).toEqual([
      "routes.yaml:5:83  warning  routes[0].to[1]  ops@conference.localhost looks like a room: a string gets a chat message; write { room: ops@conference.localhost } to post in the room",
    ]);
  });
});
