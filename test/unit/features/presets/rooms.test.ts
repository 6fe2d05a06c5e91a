// Room entries in a preset's `to:` (issue 20 §1): every preset's message goes to a room as a
// groupchat (a declarative route's, entered with the entry's nick and password), to a JID beside
// it as a chat message; the one nick a route enters with is checked.
import { describe, expect, test } from "bun:test";
import { renderCommand } from "../../../../src/features/routes/render-cli.ts";
import { loadConfig } from "../../../../src/features/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { presetFolders } from "../../../../src/features/presets/about.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { presetFixture } from "../../../helpers/preset-fixtures.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }\n`;
const TO = "[ops@localhost, { room: Ops@muc.localhost, nick: CI, password: sesame }]";

describe("a preset with a room in to:", () => {
  for (const folder of presetFolders()) {
    // The payload docs/presets.md shows: one that gives a message.
    const fixture = presetFixture(folder.name, folder.about.docs.show[0] ?? "");
    test(`${folder.name}: the room gets a groupchat, the JID a chat message; the route enters with the nick and password`, async () => {
      const config = loadTestConfig(`${HEAD}routes:\n  - { preset: ${folder.name}, to: ${TO} }\n`);
      const route = config.routes[0] as unknown as { path: string; rooms: { nick?: string; password(room: string): string | undefined } };
      expect([route.rooms.nick, route.rooms.password("ops@muc.localhost")]).toEqual(["CI", "sesame"]);
      const lines: string[] = [];
      const code = await renderCommand(
        config,
        { route: route.path, headers: fixture.headers, query: [], pretty: false, body: await fixture.bytes() },
        { out: (l) => lines.push(l), err: (l) => lines.push(`(stderr) ${l}`) },
      );
      expect(code).toBe(0);
      const tags = lines.join("\n").match(/<message [^>]*>/g) ?? [];
      expect(tags).toEqual([
        expect.stringMatching(/to="ops@localhost"[^>]*type="chat"/),
        expect.stringMatching(/to="ops@muc\.localhost"[^>]*type="groupchat"/),
      ]);
    });
  }

  test("rooms with two different nicks are refused at to: (a route enters its rooms with one nick)", () => {
    const result = loadConfig(
      `${HEAD}routes:\n  - { preset: gitlab, to: [{ room: a@muc.localhost, nick: A }, { room: b@muc.localhost, nick: B }] }\n`,
      {},
      BUILTIN_PLUGINS,
    );
    expect(result.ok ? [] : formatLines("routes.yaml", result.diagnostics)).toEqual([
      "routes.yaml:3:27  error  routes[0].to  a preset's rooms share one nick: give each room entry the same nick (or none)",
    ]);
  });
});
