/**
 * What `stanzagate init` writes and prints: a commented starter routes.yaml, and the lines that
 * declare the same component on the server. Both come from one set of values, so the domain,
 * the secret and the port can never disagree between the two sides.
 */

/** The starter's xmpp/http/store values, as YAML scalars (already quoted where they need it). */
export interface StarterValues {
  server: string;
  component: string;
  secret: string;
  host: string;
  listen: string;
  store: string;
  /** Comment lines after the title, e.g. where the values come from. */
  note?: string[];
}

/** A commented routes.yaml that `check` accepts as it is: one route, users' own accounts. */
export function starterRoutes(v: StarterValues): string {
  return `# Stanzagate's routes: the XMPP link, the HTTP side, who may call, and the routes.
${(v.note ?? []).map((line) => `# ${line}\n`).join("")}# Validate it with \`stanzagate check --config FILE\`; every key is in docs/configuration.md.
xmpp:
${entry("  server", v.server, "the XMPP server's component port (XEP-0114)")}
${entry("  component", v.component, "the gateway's own domain, declared on the server")}
${entry("  secret", v.secret, "the component secret, the same on the server")}
${entry("  host", v.host, 'the users\' domain: "bob" means bob@ this domain')}
http:
${entry("  listen", v.listen, "keep HTTP on loopback; a reverse proxy in front for HTTPS")}
${entry("store", v.store, "the outbox (sqlite); a relative path is beside this file")}

auth:
  users:                            # HTTP Basic with a user's own XMPP account, checked by the server
    kind: xmpp

routes:
  # POST /msg/bob with a text body: a message from the logged-in user to bob (the server grants
  # the gateway XEP-0356 "message outgoing" to send as its users), e.g.
  #   curl -u alice@HOST:PASSWORD -H 'Content-Type: text/plain' -d 'Hello' http://127.0.0.1:5280/msg/bob
  - plugin: post_msg
    path: /msg
    auth: users

  # A declarative route: no code, a stanza template. \`stanzagate preset\` lists ready-made ones
  # (alertmanager, github, ...); \`stanzagate render\` shows what a request would send.
  # - path: /alert
  #   method: POST
  #   auth: users
  #   body: { text: string }
  #   send: <message to="ops@HOST" type="chat"><body>{{ body.text }}</body></message>
`;
}

/** `key: value`, its comment aligned on the next column past 35 (YAML wants a space before #). */
function entry(key: string, value: string, comment: string): string {
  return `${`${key}: ${value}`.padEnd(35)} # ${comment}`;
}

/** What the component is on the server: its domain, secret, user host and port. */
export interface Component {
  domain: string;
  host: string;
  secret: string;
  port: number;
}

/** One part of a server's configuration: where it goes (a comment line in the file's language), and its lines. */
export interface Snippet {
  where: string;
  text: string;
}

export const DEFAULT_COMPONENT_PORT = 5347;

/**
 * Prosody 0.12: the component (XEP-0114) and what mod_privilege (XEP-0356, prosody-modules)
 * grants it. The module must be on the VirtualHost too, which Lua cannot add to an existing
 * `modules_enabled` from outside: that one line is the user's edit, said in a comment.
 */
export function prosodySnippets(c: Component): Snippet[] {
  // Prosody's default component_ports is 5347, on loopback.
  const global =
    c.port === DEFAULT_COMPONENT_PORT
      ? []
      : [{ where: "-- prosody.cfg.lua: in the global section, before the first VirtualHost", text: `component_ports = { ${c.port} }\n` }];
  return [
    ...global,
    {
      where: "-- prosody.cfg.lua: at the end",
      text: `VirtualHost ${lua(c.host)}
    -- Also add "privilege" to this host's modules_enabled (or the global one): mod_privilege, from prosody-modules.
    privileged_entities = {
        [${lua(c.domain)}] = {
            roster = "both";             -- roster_admin: read and write users' rosters
            message = "outgoing";        -- post_msg: send messages as the user
            presence = "managed_entity"; -- roster_admin: learn when a user comes online
        };
    }

Component ${lua(c.domain)}
    component_secret = ${lua(c.secret)}
    modules_enabled = { "privilege" }    -- so the component is told what it was granted
`,
    },
  ];
}

/** ejabberd (23.01 and later): a listener, an ACL naming the component, and mod_privilege's rules. */
export function ejabberdSnippets(c: Component): Snippet[] {
  // The domain is letters, digits, dots and hyphens (cli/args.ts): plain YAML, as the docs write it.
  const domain = c.domain;
  const rule = "\n        - allow: gateway";
  return [
    {
      where: "# ejabberd.yml: this item in listen",
      text: `listen:\n  - port: ${c.port}\n    ip: "127.0.0.1"\n    module: ejabberd_service\n    hosts:\n      ${domain}:\n        password: ${JSON.stringify(c.secret)}\n`,
    },
    { where: "# ejabberd.yml: this entry in acl", text: `acl:\n  gateway:\n    server: ${domain}\n` },
    // Under mod_privilege a bare name is an access rule, not an ACL: the rules are written inline.
    {
      where: "# ejabberd.yml: this entry in modules",
      text: `modules:\n  mod_privilege:\n    roster:\n      both:${rule}\n    message:\n      outgoing:${rule}\n    presence:\n      managed_entity:${rule}\n`,
    },
  ];
}

/** A Lua string literal; escapes everything that could end or break it. */
function lua(value: string): string {
  return `"${value.replace(/[\\"\x00-\x1f\x7f]/g, (ch) => `\\${ch.charCodeAt(0).toString().padStart(3, "0")}`)}"`;
}
