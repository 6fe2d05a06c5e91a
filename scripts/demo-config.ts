// The demo's routes.yaml and the two small web apps it talks to (a webhook bot and a roster app).
import type { Prosody } from "../testbed/prosody.ts";

export interface DemoRoutes {
  prosody: Prosody;
  httpPort: number;
  store: string;
  webhook: string;
  rosterUrl: string;
  sensors: string;
  has(plugin: string): boolean;
}

/** The demo bot (docs/bots.md): commands reading the demo's sensors, and a job watching one. */
export function demoBot(d: Pick<DemoRoutes, "prosody" | "sensors">): string {
  return `bots:
  - jid: house@${d.prosody.componentDomain}
    allow: ["*@${d.prosody.host}"]
    commands:
      - match: '^temp (?<room>\\w+)$'
        http: { url: "${d.sensors}/{{ match.room }}", timeout_ms: 3000 }
        reply: "{{ match.room }}: {{ http.json.celsius }} °C"
        error: "{{ match.room }}: {{ http.json.error | default: error }}"
      - match: '^ping$'
        reply: pong
    unknown: "I know: {{ commands }}"
    jobs:
      - name: kitchen
        every: 10s
        http: { url: "${d.sensors}/kitchen", timeout_ms: 3000 }
        on_change: http.json.celsius
        send: [{ to: "bob@${d.prosody.host}", text: "kitchen is now {{ http.json.celsius }} °C" }]
`;
}

export function demoRoutes(d: DemoRoutes): string {
  const routes = [
    `  - path: /alert
    auth: ops
    body: { to: jid, text: string }
    send: <message to="{{ body.to }}" type="chat"><body>{{ body.text }}</body></message>`,
  ];
  if (d.has("post_msg")) routes.push(`  - plugin: post_msg\n    path: /msg\n    auth: users`);
  if (d.has("component_http")) routes.push(`  - plugin: component_http\n    options:\n      post_url: ${d.webhook}`);
  if (d.has("muc_kick")) routes.push(`  - plugin: muc_kick\n    auth: kick`);
  if (d.has("roster_admin")) routes.push(`  - plugin: roster_admin\n    auth: ops\n    options:\n      roster_url: ${d.rosterUrl}`);
  return `xmpp:
  server: xmpp://127.0.0.1:${d.prosody.componentPort}
  component: ${d.prosody.componentDomain}
  secret: "${d.prosody.componentSecret}"
  host: ${d.prosody.host}
http:
  listen: 127.0.0.1:${d.httpPort}
store: ${d.store}
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${d.prosody.c2sPort}" }
  kick: { kind: header, value: "Basic dXNlcm5hbWU6cGFzc3dvcmQ=" }   # mod_http_muc_kick's README example
  ops:
    kind: bearer
    tokens: [{ name: demo, token: demo-token-0123456789 }]
${demoBot(d)}routes:
${routes.join("\n")}
`;
}

/** An echo bot (as in mod_component_http's README) and a roster web app, on loopback. */
export function demoWebApps(): { webhookUrl: string; rosterUrl: string; sensorsUrl: string; stop(): void } {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path.startsWith("/sensors/")) return sensor(decodeURIComponent(path.slice("/sensors/".length)));
      if (path === "/bot") {
        const { body } = (await req.json()) as { body?: string };
        return Response.json({ body: `Did you say ${body}?` });
      }
      const user = decodeURIComponent(path.replace(/^\/contacts\//, ""));
      const everyone = ["alice", "bob", "carol"].filter((u) => u !== user);
      return Response.json(Object.fromEntries(everyone.map((u) => [`${u}@localhost`, { name: u[0]?.toUpperCase() + u.slice(1), groups: ["Demo"] }])));
    },
  });
  return {
    webhookUrl: `http://127.0.0.1:${server.port}/bot`,
    rosterUrl: `http://127.0.0.1:${server.port}/contacts/%s`,
    sensorsUrl: `http://127.0.0.1:${server.port}/sensors`,
    stop: () => server.stop(true),
  };
}

/** A small box's thermometers: GET /sensors/kitchen -> {"celsius": 21.5}. */
function sensor(room: string): Response {
  const celsius: Record<string, number> = { kitchen: 21.5, garden: 12, cellar: 9.5 };
  const value = celsius[room];
  return value === undefined ? Response.json({ error: `no sensor in ${room} (try ${Object.keys(celsius).join(", ")})` }, { status: 404 }) : Response.json({ celsius: value });
}
