// preset: ntfy in routes.yaml: what `check` accepts, refuses and warns about, at file:line:col.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../../src/features/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { fakeGateway } from "../../../helpers/fake-gateway.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }\n`;

function check(routes: string): { errors: string[]; warnings: string[] } {
  const result = loadConfig(`${HEAD}routes:\n${routes}`, {}, BUILTIN_PLUGINS);
  return result.ok
    ? { errors: [], warnings: formatLines("routes.yaml", result.warnings) }
    : {
        errors: formatLines(
          "routes.yaml",
          result.diagnostics.filter((d) => !d.severity),
        ),
        warnings: [],
      };
}

describe("a ntfy route in routes.yaml", () => {
  test("takes the issue's example as written: path, to, topics of one JID or a list", () => {
    const routes = [
      "  - preset: ntfy",
      "    path: /",
      "    to: ops@localhost",
      "    topics:",
      "      backups: admin@localhost",
      "      family: [alice@localhost, bob@localhost]",
      "",
    ].join("\n");
    expect(check(routes)).toEqual({ errors: [], warnings: [] });
  });

  test("needs to: or topics:", () => {
    expect(check("  - { preset: ntfy }\n").errors).toEqual([
      "routes.yaml:3:5  error  routes[0]  a ntfy route needs to: (who gets every topic) or topics: (who gets each listed one), or both",
    ]);
  });

  test("refuses a topic name ntfy would refuse, a reserved one, and an address that is not a JID", () => {
    expect(check("  - { preset: ntfy, topics: { 'a b': x@localhost, v1: x@localhost, ok: 'not a jid@' } }\n").errors).toEqual([
      'routes.yaml:3:31  error  routes[0].topics.a b  topic "a b" is not a ntfy topic name ([-_A-Za-z0-9], 1 to 64 characters)',
      'routes.yaml:3:51  error  routes[0].topics.v1  topic "v1" is one ntfy keeps for itself',
      'routes.yaml:3:72  error  routes[0].topics.ok  "not a jid@" is not a JID',
    ]);
  });

  test("refuses a root with parameters: topics are the segments after it", () => {
    expect(check("  - { preset: ntfy, path: /n/:x, to: a@localhost }\n").errors).toEqual([
      "routes.yaml:3:27  error  routes[0].path  the ntfy root must be a fixed path (its topics are the segments after it), found /n/:x",
    ]);
  });

  test("warns, never refuses, when another route, before or after it, serves a listed topic; the health endpoints too", () => {
    const routes = [
      "  - { path: /backups, send: '<message to=\"a@localhost\"><body>x</body></message>' }",
      "  - { preset: ntfy, to: ops@localhost, topics: { backups: a@localhost, message: a@localhost, health: a@localhost, free: a@localhost } }",
      "  - { path: /message, method: GET, send: '<message to=\"a@localhost\"><body>x</body></message>' }",
      "",
    ].join("\n");
    expect(check(routes)).toEqual({
      errors: [],
      warnings: [
        "routes.yaml:4:25  warning  routes[1].to  to: takes every topic under /, which other routes' paths start under too (/backups/…, /message/…): a topic named as one of them is theirs (answered as their unknown path, never published); a root of ntfy's own (path: /ntfy) keeps them apart, or shared_root: true says it is meant (Apprise's ntfy:// posts to /)",
        "routes.yaml:4:50  warning  routes[1].topics.backups  topic backups is unreachable: routes[0] serves /backups, and explicit routes win over topics",
        "routes.yaml:4:72  warning  routes[1].topics.message  topic message is unreachable: routes[2] serves /message, and explicit routes win over topics",
        "routes.yaml:4:94  warning  routes[1].topics.health  topic health is unreachable: /health is the gateway's health endpoint",
      ],
    });
  });

  test("refuses a route with a parameter where the ntfy route has :topic, for any method (the router holds one per place)", () => {
    const other = (method: string) =>
      [
        "  - { preset: ntfy, to: ops@localhost }",
        `  - { path: '/:user/status', method: ${method}, send: '<message to="a@localhost"><body>x</body></message>' }`,
        "",
      ].join("\n");
    expect(check(other("GET")).errors).toEqual([
      "routes.yaml:3:5  error  routes[0].path  routes[1] serves GET /:/status, with a parameter where this ntfy route has one (/:topic): the router cannot hold both (put one under a fixed segment)",
      "routes.yaml:4:13  error  routes[1].path  parameter :user sits where routes[0] has :topic (after /): the router takes one name at one place, so name it :topic too",
    ]);
    expect(
      check(
        "  - { preset: ntfy, to: ops@localhost }\n  - { path: '/:user', send: '<message to=\"a@localhost\"><body>x</body></message>' }\n",
      ).errors,
    ).toContain("routes.yaml:4:13  error  routes[1].path  path /:user is already served by routes[0]");
  });

  test("two ntfy routes at different roots live side by side; the same root twice is a duplicate", () => {
    expect(check("  - { preset: ntfy, to: a@localhost }\n  - { preset: ntfy, path: /team/, to: b@localhost }\n").errors).toEqual([]);
    expect(check("  - { preset: ntfy, to: a@localhost }\n  - { preset: ntfy, path: /, to: b@localhost }\n").errors[0]).toContain(
      "path / is already served by routes[0]",
    );
  });

  test("an unknown preset name lists ntfy with the YAML presets", () => {
    expect(check("  - { preset: nfty, to: a@localhost }\n").errors[0]).toContain('no preset named "nfty" (did you mean "ntfy"?)');
  });
});

describe("beside the gotify preset at / (the issue's example)", () => {
  const file = [
    "auth: { gotify: { kind: bearer, tokens: [{ name: app, token: AGhVjJ3kKc0dDzm-app-token }] } }",
    "routes:",
    "  - { preset: ntfy, path: /, to: ops@localhost, topics: { backups: admin@localhost } }",
    "  - { preset: gotify, path: /, auth: gotify, to: ops@localhost }",
    "",
  ].join("\n");

  test("check passes, warning that topic message is gotify's: /message and /message/:id are fixed where ntfy has parameters", () => {
    const result = loadConfig(HEAD + file, {}, BUILTIN_PLUGINS);
    expect(result.ok ? result.warnings.map((w) => `${w.path}  ${w.message}`) : result.diagnostics).toEqual([
      "routes[0].to  to: takes every topic under /, which other routes' paths start under too (/message/…): a topic named as one of them is theirs (answered as their unknown path, never published); a root of ntfy's own (path: /ntfy) keeps them apart, or shared_root: true says it is meant (Apprise's ntfy:// posts to /)",
    ]);
  });

  test("POST /message and DELETE /message/<id> are gotify's; /backups is ntfy's", async () => {
    const gw = await fakeGateway(file);
    try {
      const headers = { "Content-Type": "application/json", "X-Gotify-Key": "AGhVjJ3kKc0dDzm-app-token" };
      const sent = (await (await gw.request("/message", { method: "POST", body: '{"message":"hi"}', headers })).json()) as {
        id: number;
        appid: number;
      };
      expect(sent.appid).toBeDefined();
      const withdrawn = await gw.request(`/message/${sent.id}`, { method: "DELETE", headers });
      expect([withdrawn.status, await withdrawn.text()]).toEqual([200, ""]);
      expect(((await (await gw.request("/backups", { method: "POST", body: "x" })).json()) as Record<string, unknown>).event).toBe(
        "message",
      );
    } finally {
      await gw.stop();
    }
  });
});

describe("two ntfy routes, at / and at /team", () => {
  test("each serves its own topics and JSON root; the fixed /team wins over the root's topic of that name, by URL or JSON", async () => {
    const gw = await fakeGateway("routes:\n  - { preset: ntfy, to: a@localhost }\n  - { preset: ntfy, path: /team, to: b@localhost }\n");
    try {
      const to = async (path: string, body: string) => {
        const before = gw.stanzas().length;
        expect((await gw.request(path, { method: "POST", body })).status).toBe(200);
        return gw
          .stanzas()
          .slice(before)
          .map((s) => s.attrs.to);
      };
      expect(await to("/deploys", "x")).toEqual(["a@localhost"]);
      expect(await to("/team/deploys", "x")).toEqual(["b@localhost"]);
      expect(await to("/team", '{"topic":"deploys","message":"x"}')).toEqual(["b@localhost"]);
      // Topic team's URL is the /team route's root, so a JSON publish naming it is refused as its URL would be.
      const claimed = await gw.request("/", { method: "POST", body: '{"topic":"team","message":"x"}' });
      expect([claimed.status, ((await claimed.json()) as { code: number }).code]).toEqual([400, 40010]);
    } finally {
      await gw.stop();
    }
  });
});
