// `stanzagate render` on the format routes (src/cli/render-offline.ts): the route's own handler
// answers a request offline, and what it would send is printed as a client shows it; the
// recorded payloads give the very message their golden transcript holds (what `serve` sends).
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderOffline } from "../../src/cli/render-offline.ts";
import { servesDeclarative, type RenderRequest } from "../../src/features/routes/render-cli.ts";
import { goldenBodies } from "../helpers/format-goldens.ts";
import { loadTestConfig } from "../helpers/gateway.ts";

const TOKEN = "AGhVjJ3kKc0d.zm";
const SLACK = "/slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x";
const ROUTES = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
auth:
  apps: { kind: bearer, tokens: [{ token: "${TOKEN}", name: monitoring }] }
routes:
  - { preset: gotify, to: ops@localhost, auth: apps }
  - { preset: slack, path: ${SLACK}, to: bob@localhost }
  - { preset: ntfy, to: ops@localhost }
  - path: /plain
    send: <message to="bob@localhost"><body>{{ body.text }}</body></message>
`;

const FIXTURES = join(import.meta.dir, "../fixtures");

async function render(req: Partial<Omit<RenderRequest, "body">> & { body?: string }, routes = ROUTES) {
  const out: string[] = [];
  const err: string[] = [];
  const { body, ...rest } = req;
  const request = {
    route: "/",
    headers: [],
    query: [],
    pretty: false,
    ...rest,
    ...(body !== undefined ? { body: new TextEncoder().encode(body) } : {}),
  };
  const code = await renderOffline(loadTestConfig(routes), request, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const fixture = (path: string) => Bun.file(join(FIXTURES, path)).text();

describe("stanzagate render on a format route", () => {
  test("Gotify: the recorded Apprise payload gives the body its golden message holds, the recipient on stderr", async () => {
    const recorded = JSON.parse(await fixture("gotify/apprise-markdown.json")) as { body: unknown };
    const res = await render({ route: "/message", headers: [["X-Gotify-Key", TOKEN]], body: JSON.stringify(recorded.body) });
    const golden = (await Bun.file(join(import.meta.dir, "../golden/gotify/apprise-markdown.expected")).text()).split(
      "--- to ops@localhost\n",
    )[1];
    expect(res).toEqual({ code: 0, out: [golden?.replace(/\n$/, "") ?? "(no golden)"], err: ["to ops@localhost:"] });
  });

  test("Gotify: a request without the token gets Gotify's own 401, and nothing is sent", async () => {
    const res = await render({ route: "/message", body: `{"message":"x"}` });
    expect(res.code).toBe(1);
    expect(res.out).toEqual([]);
    expect(res.err).toEqual([expect.stringMatching(/^401 \{"error":"Unauthorized","errorCode":401,/)]);
  });

  test("Slack: Grafana's recorded payload gives its golden message; a payload without text gets no_text", async () => {
    const res = await render({ route: SLACK, body: await fixture("formats/slack/grafana-firing.json") });
    expect(res).toEqual({ code: 0, out: await goldenBodies("slack", "grafana-firing"), err: ["to bob@localhost:"] });
    expect(await render({ route: SLACK, body: "{}" })).toEqual({ code: 1, out: [], err: ["400 no_text"] });
  });

  test("ntfy: --xml prints the stanza, with the priority and tag emojis the headers asked for", async () => {
    const res = await render({
      route: "/phil_alerts",
      method: "put",
      headers: [
        ["Title", "Unauthorized access detected"],
        ["Priority", "urgent"],
        ["Tags", "warning,skull"],
      ],
      body: "Remote access to phils-laptop detected.",
      xml: true,
    });
    expect(res.code).toBe(0);
    expect(res.out).toEqual([
      expect.stringMatching(
        /^<message to="ops@localhost" from="gw\.localhost" id="[^"]+" type="chat"><body>‼️ ⚠️ 💀 \*Unauthorized access detected\*\nRemote access to phils-laptop detected\.<\/body>/,
      ),
    ]);
  });

  test("a path no route serves gets the gateway's 404", async () => {
    const res = await render({ route: "/nothing/here", body: "{}" }, ROUTES.replace(/ {2}- \{ preset: ntfy.*\n/, ""));
    expect(res).toEqual({ code: 1, out: [], err: ['404 {"error":"Not found","code":"NOT_FOUND","path":"/nothing/here"}'] });
  });

  test("the configuration's store is never opened: render writes nothing there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "render-store-"));
    try {
      const store = join(dir, "stanzagate.db");
      const res = await render({ route: SLACK, body: `{"text":"hi"}` }, `store: ${JSON.stringify(store)}\n${ROUTES}`);
      expect([res.code, res.out, existsSync(store)]).toEqual([0, ["hi"], false]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("which renderer a request goes to", () => {
  const config = loadTestConfig(ROUTES);
  test.each([
    ["/plain", "", true],
    ["/plain", "GET", false],
    ["/message", "", false],
    [SLACK, "", false],
  ])("%s (method %p): declarative %p", (route, method, declarative) => {
    expect(servesDeclarative(config, { route, ...(method ? { method } : {}) })).toBe(declarative);
  });
});
