// The reloader: coalesces signals, refuses a broken file with its errors, and logs what changed.
import { describe, expect, test } from "bun:test";
import { createLogger } from "../../src/log.ts";
import { createReloader, diffConfigs, snapshot, type ConfigChanges, type ReadResult } from "../../src/reload.ts";
import { loadTestConfig } from "../helpers/gateway.ts";
import { OFFLINE_HEAD } from "../helpers/offline-gateway.ts";

const routes = (...paths: string[]) =>
  `routes:\n${paths.map((p) => `  - name: r${p.slice(1)}\n    path: ${p}\n    send: '<message to="bob@example"><body>x</body></message>'\n`).join("")}`;
const text = (...paths: string[]) => OFFLINE_HEAD + routes(...paths);
const NO_CHANGES: ConfigChanges = { xmpp: false, listen: false, throttle: false, restartOnly: [], refused: [] };

function harness(first: string) {
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ write: (l) => void logs.push(JSON.parse(l) as Record<string, unknown>) });
  let file: ReadResult = { ok: true, config: loadTestConfig(first), text: first };
  const applied: string[][] = [];
  let gate = Promise.resolve();
  const reloader = createReloader({
    initial: snapshot(loadTestConfig(first), first),
    read: async () => file,
    apply: async (config) => {
      await gate;
      applied.push(config.routes.map((r) => r.path));
      return NO_CHANGES;
    },
    log,
  });
  return {
    logs,
    applied,
    reloader,
    write: (t: string) => void (file = { ok: true, config: loadTestConfig(t), text: t }),
    break: (errors: string[]) => void (file = { ok: false, errors }),
    hold: () => {
      const held = Promise.withResolvers<void>();
      gate = held.promise;
      return held.resolve;
    },
  };
}

describe("the reloader", () => {
  test("ten requests during a reload make one more reload, which reads the last file", async () => {
    const h = harness(text("/a"));
    const release = h.hold();
    const first = h.reloader.request();
    for (let i = 0; i < 10; i++) {
      h.write(text(`/s${i}`));
      void h.reloader.request();
    }
    release();
    await first;
    expect(h.applied).toEqual([["/a"], ["/s9"]]);
  });

  test("a broken file is not applied; its errors are logged with their locations", async () => {
    const h = harness(text("/a"));
    h.break(['routes.yaml:9:11  error  routes[0].auth  no auth scheme named "x"']);
    await h.reloader.request();
    expect(h.applied).toEqual([]);
    expect(h.logs.at(-1)).toMatchObject({
      level: "error",
      msg: "reload refused: routes.yaml has errors; the running configuration stays",
      errors: ['routes.yaml:9:11  error  routes[0].auth  no auth scheme named "x"'],
    });
  });

  test("the log line names the routes added, removed and changed", async () => {
    const h = harness(text("/a", "/b"));
    h.write(
      text("/b", "/c").replace('/b\n    send: \'<message to="bob@example"><body>x', '/b\n    send: \'<message to="bob@example"><body>y'),
    );
    await h.reloader.request();
    expect(h.logs.at(-1)).toMatchObject({
      msg: "configuration reloaded",
      routes: { added: ["POST /c"], removed: ["POST /a"], changed: ["POST /b"] },
      auth: {},
      bots: {},
      xmpp: "unchanged",
      http: "unchanged",
    });
  });

  test("secret paths are named hidden, a short hash telling them apart: a rotated secret is removed and added", async () => {
    const secrets = ["5d41402abc4b2a76b9719d91aaaa", "b7rk3w9zq1xg5pd4ma8ycnhf2e", "9f86d081884c7d659a2feaa0", "3f9c2a7be41d4e8f9b0c6d5a"];
    const file = (tail: string) =>
      `${OFFLINE_HEAD}routes:
  - { preset: teams, path: /teams/${secrets[0]}${tail}, to: bob@example }
  - { preset: mattermost, path: /hooks/${secrets[1]}${tail}, to: bob@example }
  - { preset: slack, path: /slack/T0/B0/${secrets[2]}, to: bob@example }
  - { preset: discord, path: /discord/webhooks/1/${secrets[3]}${tail}, to: bob@example }
`;
    const h = harness(file(""));
    h.write(file("X"));
    await h.reloader.request();
    const line = h.logs.at(-1) as { routes: Record<string, string[]> };
    const hidden = (label: string) => new RegExp(`^${label.replace(/[/.]/g, "\\$&")} #[0-9a-f]{6}$`);
    expect(Object.keys(line.routes).sort()).toEqual(["added", "removed"]);
    for (const list of [line.routes.added, line.routes.removed])
      expect(list).toEqual([
        expect.stringMatching(hidden("teams /teams/5d41…")),
        expect.stringMatching(hidden("mattermost POST /hooks/b7rk…")),
        expect.stringMatching(hidden("discord /discord/webhooks/1/…")),
      ]);
    expect(line.routes.added).not.toEqual(line.routes.removed);
    for (const secret of secrets) expect(JSON.stringify(h.logs)).not.toContain(secret.slice(4, 12));
  });

  test("MQTT routes by their name:, or mqtt <topic> without one", async () => {
    const route = (topic: string, name?: string) =>
      `  - ${name ? `name: ${name}\n    ` : ""}mqtt: { topic: "${topic}" }\n    send: '<message to="bob@example"><body>x</body></message>'\n`;
    const head = `${OFFLINE_HEAD}mqtt:\n  url: mqtt://127.0.0.1:1883\nroutes:\n`;
    const h = harness(head + route("sensors/#", "sensors"));
    h.write(head + route("late/+", "late") + route("plain/+"));
    await h.reloader.request();
    expect(h.logs.at(-1)).toMatchObject({
      msg: "configuration reloaded",
      routes: { added: ["late", "mqtt plain/+"], removed: ["sensors"] },
    });
  });

  test("and the bots added, removed and changed, by JID", async () => {
    const bot = (local: string, reply: string) =>
      `  - jid: ${local}@gw.example\n    allow: ["*"]\n    commands: [{ match: '^ping$', reply: ${reply} }]\n`;
    const h = harness(`${text("/a")}bots:\n${bot("house", "pong")}${bot("shed", "pong")}`);
    h.write(`${text("/a")}bots:\n${bot("house", "PONG")}${bot("barn", "pong")}`);
    await h.reloader.request();
    expect(h.logs.at(-1)).toMatchObject({
      msg: "configuration reloaded",
      routes: {},
      bots: { added: ["barn@gw.example"], removed: ["shed@gw.example"], changed: ["house@gw.example"] },
    });
  });
});

describe("diffConfigs", () => {
  test("tells xmpp and listen changes, and refuses a new component domain", () => {
    const old = loadTestConfig(text("/a"));
    const moved = loadTestConfig(text("/a").replace("store:", "http: { listen: 127.0.0.1:9999 }\nstore:"));
    expect(diffConfigs(old, moved)).toMatchObject({ listen: true, xmpp: false, refused: [] });
    const renamed = loadTestConfig(text("/a").replace("component: gw.example", "component: other.example"));
    expect(diffConfigs(old, renamed).refused[0]).toStartWith("xmpp.component cannot change on reload");
  });

  test("store: is compared with the store in use: a reload reverting it waits for no restart (review 26, finding 21)", () => {
    const started = loadTestConfig(text("/a"));
    const elsewhere = loadTestConfig(text("/a").replace(/store: .*/, 'store: "postgres://app@db/copy4"'));
    expect(started.store).not.toBe(elsewhere.store);
    expect(diffConfigs(started, elsewhere, started).restartOnly).toEqual(["store"]);
    const reverted = loadTestConfig(text("/a"));
    expect(diffConfigs(elsewhere, reverted, started).restartOnly).toEqual([]);
    expect(diffConfigs(elsewhere, elsewhere, started).restartOnly).toEqual(["store"]);
  });
});
