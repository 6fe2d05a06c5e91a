// The demo's routes.yaml and the two small web apps it talks to (a webhook bot and a roster app).
//
// The file is the user's to edit: written when missing, kept across runs, written afresh only when
// asked (DEMO_RESET=1, `make demo-reset`). What changes from run to run (the ports of this run's
// Prosody and web apps, the component secret) is not in it: it reads them with ${VAR} from the
// environment the demo starts Stanzagate with (demoEnv), so a kept file works at every run.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { XmppServer } from "../testbed/xmpp-server.ts";

/** The MUC room the demo keeps: persistent and non-anonymous, so its examples cannot destroy it. */
export const DEMO_ROOM_NAME = "room";

/** The variables routes.yaml reads: what this run's servers listen on. */
export function demoEnv(d: { prosody: XmppServer; httpPort: number; apps: string; mqttPort: number }): Record<string, string> {
  return {
    DEMO_MQTT_PORT: String(d.mqttPort),
    DEMO_COMPONENT_PORT: String(d.prosody.componentPort),
    DEMO_C2S_PORT: String(d.prosody.c2sPort),
    DEMO_SECRET: d.prosody.componentSecret,
    DEMO_HTTP_PORT: String(d.httpPort),
    DEMO_APPS: d.apps,
  };
}

/**
 * The demo bot (docs/bots.md): commands reading the demo's sensors and switching a light over
 * MQTT, a job polling one sensor and one watching the door sensors on the demo's broker.
 */
export function demoBot(): string {
  return `bots:
  - jid: house@gateway.localhost
    allow: ["*@localhost"]
    # rooms: [{ jid: ${DEMO_ROOM_NAME}@muc.localhost }]   # uncomment, save, reload (kill -HUP, see the demo)
    commands:
      - match: '^temp (?<room>\\w+)$'
        http: { url: "\${DEMO_APPS:-http://127.0.0.1:8080}/sensors/{{ match.room }}", timeout_ms: 3000 }
        reply: "{{ match.room }}: {{ http.json.celsius }} °C"
        error: "{{ match.room }}: {{ http.json.error | default: error }}"
      - match: '^light (?<room>\\w+) (?<state>on|off)$'
        help: "switch a light (Zigbee2MQTT's zigbee2mqtt/<room>/set over MQTT)"
        mqtt: { topic: "zigbee2mqtt/{{ match.room }}/set", payload: { state: "{{ match.state | upcase }}" } }
        reply: "{{ match.room }} light {{ match.state }} (published to {{ mqtt.topic }})"
        error: "{{ match.room }} light not switched: {{ error }}"
      - match: '^ping$'
        reply: pong
    unknown: "I know: {{ commands }}"
    jobs:
      - name: kitchen
        every: 10s
        http: { url: "\${DEMO_APPS:-http://127.0.0.1:8080}/sensors/kitchen", timeout_ms: 3000 }
        on_change: http.json.celsius
        send: [{ to: "bob@localhost", text: "kitchen is now {{ http.json.celsius }} °C" }]
      - name: doors
        mqtt: { topic: "zigbee2mqtt/+" }
        when: body.contact != nil
        on_change: body.contact
        send: [{ to: "bob@localhost", text: "{{ wildcards[0] }} is {% if body.contact %}closed{% else %}open{% endif %} (battery {{ body.battery }} %)" }]
`;
}

/** The README's iq round trip (XEP-0092): the demo's Prosody loads mod_version for it. */
const VERSION_ROUTE = `  - path: /version/:host
    method: GET
    send: <iq type="get" to="{{ params.host }}"><query xmlns="jabber:iq:version"/></iq>
    respond:
      name: "{{ reply.query.name }}"
      version: "{{ reply.query.version }}"
      os: "{{ reply.query.os }}"`;

export function demoRoutes(has: (plugin: string) => boolean): string {
  const routes = [
    `  - path: /alert
    auth: ops
    body: { to: jid, text: string }
    send: <message to="{{ body.to }}" type="chat"><body>{{ body.text }}</body></message>`,
    VERSION_ROUTE,
    `  - path: /lights/:room
    auth: ops
    body: { state: { type: string, enum: ["on", "off"] } }
    publish: { topic: "zigbee2mqtt/{{ params.room }}/set", payload: { state: "{{ body.state | upcase }}" } }`,
  ];
  if (has("post_msg")) routes.push("  - plugin: post_msg\n    path: /msg\n    auth: users");
  if (has("component_http"))
    routes.push("  - plugin: component_http\n    options:\n      post_url: ${DEMO_APPS:-http://127.0.0.1:8080}/bot");
  if (has("muc_kick")) routes.push("  - plugin: muc_kick\n    auth: kick");
  if (has("roster_admin"))
    routes.push("  - plugin: roster_admin\n    auth: ops\n    options:\n      roster_url: ${DEMO_APPS:-http://127.0.0.1:8080}/contacts/%s");
  return `# The demo's routes.yaml. Yours to edit: \`make demo\` keeps it, \`make demo-reset\` writes it afresh.
# \${DEMO_...} are set by the demo at each run (its Prosody's ports and secret, its web apps);
# the fallbacks after :- only let \`stanzagate check\` and \`render\` read the file in another terminal.
xmpp:
  server: xmpp://127.0.0.1:\${DEMO_COMPONENT_PORT:-5347}
  component: gateway.localhost
  secret: "\${DEMO_SECRET:-demo-secret}"
  host: localhost
http:
  listen: 127.0.0.1:\${DEMO_HTTP_PORT:-5280}
store: stanzagate.db
mqtt:
  url: mqtt://127.0.0.1:\${DEMO_MQTT_PORT:-1883}
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:\${DEMO_C2S_PORT:-5222}" }
  kick: { kind: header, value: "Basic dXNlcm5hbWU6cGFzc3dvcmQ=" }   # mod_http_muc_kick's README example
  ops:
    kind: bearer
    tokens: [{ name: demo, token: demo-token-0123456789 }]
${demoBot()}routes:
${routes.join("\n")}
`;
}

/**
 * What happened to the routes file: `written` (it was missing, or DEMO_RESET), `kept` (the
 * user's), `replaced` (written by a demo from before the ports came from the environment: its
 * ports are an old run's, so it is kept beside as routes.yaml.old).
 */
export type RoutesFileOutcome = "written" | "kept" | "replaced";

export function writeRoutesFile(file: string, text: string, reset: boolean): RoutesFileOutcome {
  if (existsSync(file) && !reset) {
    if (readFileSync(file, "utf8").includes("${DEMO_COMPONENT_PORT")) return "kept";
    renameSync(file, `${file}.old`);
    writeFileSync(file, text);
    return "replaced";
  }
  writeFileSync(file, text);
  return "written";
}

/** On loopback, under one base URL: an echo bot (as in mod_component_http's README) at /bot, a roster web app at /contacts/<user>, sensors at /sensors/<room>. */
export function demoWebApps(): { url: string; stop(): void } {
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
      return Response.json(
        Object.fromEntries(everyone.map((u) => [`${u}@localhost`, { name: u[0]?.toUpperCase() + u.slice(1), groups: ["Demo"] }])),
      );
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/** A small box's thermometers: GET /sensors/kitchen -> {"celsius": 21.5}. */
function sensor(room: string): Response {
  const celsius: Record<string, number> = { kitchen: 21.5, garden: 12, cellar: 9.5 };
  const value = celsius[room];
  return value === undefined
    ? Response.json({ error: `no sensor in ${room} (try ${Object.keys(celsius).join(", ")})` }, { status: 404 })
    : Response.json({ celsius: value });
}
