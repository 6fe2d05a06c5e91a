/**
 * The routes.yaml the load phases share: post_msg under `xmpp` auth (users' own passwords,
 * cached), component_http to the echo webhook, and a declarative route under `header` auth
 * (`ops`); `more` adds plugin entries (`make bench`: muc_kick and roster_admin).
 */
import type { XmppServer } from "../../testbed/xmpp-server.ts";

/** The `ops` scheme's Authorization value (bench:bench). */
export const OPS = "Basic YmVuY2g6YmVuY2g=";

export const DECLARATIVE_PATH = "/notify/:user";

/** The declarative entry: the template of the cookbook's Home Assistant route. */
function declarativeRoute(auth: string, host: string): string {
  return `  - path: ${DECLARATIVE_PATH}
    method: POST
    auth: ${auth}
    body: { text: string }
    send: <message to="{{ params.user }}@${host}" type="chat"><body>{{ body.text }}</body></message>
`;
}

export function benchRoutes(prosody: XmppServer, webhookUrl: string, more: readonly string[] = []): string {
  return `auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${prosody.c2sPort}", cache_s: 3600 }
  ops: { kind: header, value: "${OPS}" }
routes:
  - { plugin: post_msg, path: /msg, auth: users }
  - { plugin: component_http, options: { post_url: "${webhookUrl}", max_concurrent: 64, max_queued: 100000 } }
${more.map((entry) => `  - ${entry}\n`).join("")}${declarativeRoute("ops", prosody.host)}`;
}
