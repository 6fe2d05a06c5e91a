/**
 * The schema of routes.yaml: the single source of truth for its types, defaults, validation and
 * the configuration reference in docs/reference.md. Every object is closed (`additionalProperties: false`)
 * so a misspelt key is an error, never silently ignored.
 */
import { Type, type Static, type TObject, type TProperties } from "@sinclair/typebox";
import { AttachmentsSchema } from "../files/schema.ts";
import { TopicsSchema } from "../topics/schema.ts";
import { MqttSchema } from "../mqtt/schema.ts";

/** `Type.Object` closed to unknown keys: the house default for config objects. */
export const Closed = <T extends TProperties>(props: T, description?: string): TObject<T> =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });

export const ReconnectSchema = Closed(
  {
    initial_ms: Type.Integer({ minimum: 10, default: 250, description: "First delay before reconnecting after the link drops." }),
    max_ms: Type.Integer({ minimum: 10, default: 30_000, description: "Cap of the exponential backoff between attempts." }),
  },
  "Reconnection after the link drops: capped exponential backoff with jitter, forever.",
);

const TlsSchema = Closed(
  {
    ca_file: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "A PEM file of the CA certificates to trust for the server's certificate (e.g. a private CA), instead of the system store. Read at every connection attempt, so a renewed file needs no restart.",
      }),
    ),
    server_name: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The name the server's certificate must carry (also sent as TLS SNI), when it is not the host of xmpp.server: e.g. xmpps://10.0.0.5:5275 with a certificate for xmpp.example.org.",
      }),
    ),
  },
  "How an xmpps:// link checks the server's certificate. Without it: the system's CA store and the host of xmpp.server. The certificate is always verified; there is no switch to turn that off.",
);

const XmppSchema = Closed(
  {
    server: Type.String({
      pattern: "^xmpps?://",
      description:
        "The server's component port (XEP-0114): xmpp://host:port for plain TCP, or xmpps://host:port for direct TLS (the server's certificate verified, its name checked; see xmpp.tls). `check` warns when a plain xmpp:// link leaves the machine.",
    }),
    component: Type.String({ minLength: 1, description: "The component's domain, as declared on the server." }),
    secret: Type.String({
      minLength: 1,
      description: "The component secret shared with the server. Use ${VAR} to read it from the environment.",
    }),
    host: Type.String({ minLength: 1, description: "The user domain served: the default host for bare user names." }),
    hosts: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          "The server's other virtual hosts whose XEP-0356 privilege advertisements are believed, besides xmpp.host. Unset: xmpp.host and its subdomains (other.example.com for example.com). An advertisement from any other domain is refused and logged: a remote server could send one.",
      }),
    ),
    tls: Type.Optional(TlsSchema),
    reconnect: Type.Optional(ReconnectSchema),
    iq_timeout_ms: Type.Integer({
      minimum: 100,
      default: 10_000,
      description: "How long to wait for the answer to an iq Stanzagate sends.",
    }),
    max_rooms: Type.Integer({
      minimum: 1,
      default: 100,
      description:
        "Most MUC rooms the gateway is in at once (routes posting groupchat stay joined; muc_kick's lingering rooms count too). Each costs one occupant list in memory; past it a new room is refused with 503 ROOMS_FULL.",
    }),
    max_stanza_bytes: Type.Integer({
      minimum: 1_024,
      default: 500_000,
      description:
        "Larger stanzas (serialized, in bytes) are refused with 413 before they reach the outbox or the stream: the server would close the stream instead. The default stays under Prosody 0.12's component limit (component_stanza_size_limit, falling back to s2s_stanza_size_limit: 524288) and ejabberd's suggested s2s max_stanza_size (524288; ejabberd_service itself defaults to infinity, its c2s example to 262144). Raise it only with the server's limit.",
    }),
  },
  "The XEP-0114 link to the XMPP server.",
);

const ListenerTlsSchema = Closed(
  {
    cert_file: Type.String({
      minLength: 1,
      description: "The certificate chain (PEM): the server's certificate first, then the intermediates (Let's Encrypt's fullchain.pem).",
    }),
    key_file: Type.String({
      minLength: 1,
      description: "The private key (PEM) of the certificate, readable by the gateway's user (Let's Encrypt's privkey.pem).",
    }),
  },
  "Serve HTTPS instead of HTTP on http.listen. Both files are checked when the config loads; a reload (SIGHUP) reads them again, so a renewed certificate needs no restart.",
);

export const HttpSchema = Closed(
  {
    listen: Type.String({
      default: "127.0.0.1:5280",
      description:
        "Address and port to serve HTTP on: host:port, [::1]:port for IPv6, :port for every interface. The port is 1-65535, or 0 for any free port.",
    }),
    max_body_bytes: Type.Integer({ minimum: 1, default: 1_048_576, description: "Larger request bodies are refused with 413." }),
    cors: Type.Boolean({
      default: true,
      description: "Access-Control-* headers on every response and OPTIONS on every path, as Prosody's mod_http does.",
    }),
    tls: Type.Optional(ListenerTlsSchema),
    public_url: Type.Optional(
      Type.String({
        pattern: "^https?://[^/?#\\s]+(/[^?#\\s]*)?$",
        description:
          "The absolute http(s) URL at which chat clients reach this listener (through a reverse proxy, usually https://). Setting it turns attachments on (files and images in notifications, docs/files.md): the links in the messages start with it.",
      }),
    ),
    trusted_proxies: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        "Reverse proxies whose forwarding header is believed: IP addresses or CIDR ranges (127.0.0.1, ::1, 10.0.0.0/8, fd00::/8). A request from one of them gets its client address from http.client_address_header, the right-most hop that is not itself a trusted proxy; from any other peer the header is ignored. That address is what the auth throttle counts and the request log shows. Empty: the TCP peer is the client.",
    }),
    client_address_header: Type.Union([Type.Literal("X-Forwarded-For"), Type.Literal("Forwarded")], {
      default: "X-Forwarded-For",
      description:
        "The header the trusted proxies append the client's address to: X-Forwarded-For (nginx, Caddy, most proxies) or Forwarded (RFC 7239). Only this one is read: the other could come from the client unchanged.",
    }),
  },
  "The HTTP server.",
);

export const OutboxSchema = Closed(
  {
    max_stanzas: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: "Stanzas kept while the XMPP server is unreachable; more are refused with 503.",
    }),
    claim_lease_s: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 10,
      description:
        "Replicas sharing a PostgreSQL store, 1 to 3600 seconds: a replica sending queued stanzas claims them and renews its claim every third of this many seconds while it sends; a claim left unrenewed this long (the replica died, or its link dropped) lets another replica send them. Shorter: a dead replica's stanzas wait less; too short for the database's round trips: a slow replica's stanzas may be sent twice. Every replica should use the same value. A SQLite store ignores it.",
    }),
  },
  "Stanzas accepted while the link is down wait here (in the store, in order).",
);

export const ThrottleSchema = Closed(
  {
    max_failures: Type.Integer({
      minimum: 1,
      default: 10,
      description:
        "Failed authentications allowed per client address and auth scheme within the window (http.trusted_proxies says where the address comes from behind a proxy); checks still running count too.",
    }),
    window_s: Type.Integer({
      minimum: 1,
      default: 60,
      description: "The window, in seconds; past the limit the address gets 429 on that scheme until it ends.",
    }),
  },
  "Slows down password guessing on every auth scheme.",
);

export const LogSchema = Closed(
  {
    level: Type.Union([Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")], {
      default: "info",
      description:
        "Lines below this level are dropped. Logs go to stderr; every HTTP request is one line at info, except health checks and scrapes answered below 400, at debug.",
    }),
    format: Type.Union([Type.Literal("json"), Type.Literal("text")], {
      default: "json",
      description: "json: one JSON object per line (for log collectors); text: one readable line per event (for a terminal).",
    }),
  },
  "Logging. Read at start-up: a reload does not change it.",
);

/**
 * The core's part of the top level. `auth` entries and `routes` items are checked by their kinds'
 * schemas, the features' sections by their own (load.ts `topSchema` puts the whole level together).
 */
export const CoreSchema = Closed({
  xmpp: XmppSchema,
  http: Type.Optional(HttpSchema),
  store: Type.String({
    default: "./stanzagate.db",
    description:
      'Where the outbox and caches are kept: a bun:sqlite file (":memory:" keeps nothing across restarts), or a PostgreSQL URL that replicas share, postgres://user:${PASSWORD}@host:5432/db?sslmode=verify-full. A ${VAR} in user:password@ is percent-encoded where it lands (a password with @ : / ? # % works as it is in the variable; one written in the URL is encoded by hand). The database must be named (without one the server would pick the user\'s). sslmode: disable, allow, prefer, require, verify-ca or verify-full (TLS; the last two check the certificate). A database that cannot be reached at start stops the gateway (exit 1, naming the store; the password is never shown). See operations.md for the connections each replica holds.',
  }),
  outbox: Type.Optional(OutboxSchema),
  attachments: Type.Optional(AttachmentsSchema),
  topics: Type.Optional(TopicsSchema),
  mqtt: Type.Optional(MqttSchema),
  auth_throttle: Type.Optional(ThrottleSchema),
  log: Type.Optional(LogSchema),
  auth: Type.Record(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_-]*$" }), Type.Unknown(), {
    default: {},
    description: "Named auth schemes that routes refer to.",
  }),
  routes: Type.Array(Type.Unknown(), { default: [], description: "The HTTP endpoints: built-in plugins and declarative routes." }),
});

export type Xmpp = Static<typeof XmppSchema> & { reconnect: Static<typeof ReconnectSchema> };
