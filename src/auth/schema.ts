/** The auth schemes a route can name, one schema per `kind`. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../config/schema.ts";

const Realm = Type.String({ default: "Stanzagate", description: "The realm sent in WWW-Authenticate." });

const HeaderAuthSchema = Closed({
  kind: Type.Literal("header", { description: "Selects this scheme." }),
  value: Type.String({
    minLength: 1,
    description: "The exact Authorization header value expected (as mod_http_muc_kick's http_muc_kick_authorization_header).",
  }),
});

const BasicAuthSchema = Closed({
  kind: Type.Literal("basic", { description: "Selects this scheme." }),
  realm: Realm,
  users: Type.Record(Type.String({ minLength: 1 }), Type.String({ pattern: "^\\$argon2id\\$" }), {
    description: "User name (or JID) -> argon2id hash, as printed by `stanzagate hash-password`.",
  }),
});

const BearerTokenSchema = Closed({
  token: Type.String({ minLength: 16, description: "The token; use ${VAR} to keep it out of the file." }),
  name: Type.String({ minLength: 1, description: "Who holds it: the identity templates and logs see." }),
  jid: Type.Optional(Type.String({ description: "The JID this token acts as (post_msg sends from it)." })),
  allow: Type.Optional(
    Type.Array(Type.String(), { description: "Recipients this token may address: bare JIDs, or domains as *@domain. Absent: any." }),
  ),
});

const BearerAuthSchema = Closed({
  kind: Type.Literal("bearer", { description: "Selects this scheme." }),
  tokens: Type.Array(BearerTokenSchema, { minItems: 1, description: "The accepted tokens, each with its holder's name (keys below)." }),
});

export const XmppAuthSchema = Closed({
  kind: Type.Literal("xmpp", { description: "Selects this scheme." }),
  realm: Realm,
  server: Type.Optional(
    Type.String({
      pattern: "^xmpps?://",
      description: "The server's client port for the SASL check (default: the component server's host, port 5222).",
    }),
  ),
  cache_s: Type.Integer({
    minimum: 0,
    default: 60,
    description: "How long a successful check is remembered (as a salted hash, never the password).",
  }),
  timeout_ms: Type.Integer({
    minimum: 100,
    default: 5_000,
    description:
      "How long a SASL check may take, waiting for a free slot included; past it the request gets 503 AUTH_UNAVAILABLE (counted by auth_throttle).",
  }),
  failure_cache_s: Type.Integer({
    minimum: 0,
    default: 30,
    description: "How long a refused user and password is remembered (salted hash), so that retrying it does not log in again.",
  }),
  max_checks: Type.Integer({
    minimum: 1,
    default: 8,
    description: "SASL checks running at once; concurrent requests with the same credentials share one.",
  }),
  max_queued_checks: Type.Integer({
    minimum: 0,
    default: 256,
    description: "SASL checks waiting for a free slot; more get 503 AUTH_BUSY.",
  }),
  offline_grace_s: Type.Integer({
    minimum: 0,
    default: 86_400,
    description:
      "While the server cannot check a password, one that logged in within this many seconds is still accepted (kept in the store as an argon2id hash); 0 turns this off.",
  }),
});

export const HmacAuthSchema = Closed({
  kind: Type.Literal("hmac", { description: "Selects this scheme." }),
  format: Type.Union([Type.Literal("github"), Type.Literal("gitea"), Type.Literal("standard_webhooks")], {
    description:
      "Which signature the sender puts on the raw body: github (X-Hub-Signature-256: sha256=<hex>), gitea (X-Gitea-Signature or X-Forgejo-Signature: <hex>), standard_webhooks (webhook-id, webhook-timestamp, webhook-signature: v1,<base64>).",
  }),
  secret: Type.String({
    minLength: 1,
    description:
      "The shared secret set on the sender; for standard_webhooks `whsec_<base64>` is the key's base64, any other string the key's bytes. Use ${VAR} to keep it out of the file.",
  }),
  tolerance_s: Type.Integer({
    minimum: 1,
    default: 300,
    description:
      "standard_webhooks: a webhook-timestamp further than this from now (either way) is refused, and each webhook-id is accepted once within it.",
  }),
  max_remembered_ids: Type.Integer({
    minimum: 1,
    default: 10_000,
    description:
      "standard_webhooks: accepted webhook-ids remembered to refuse replays; past this many within the window the oldest is forgotten first.",
  }),
});

export const AUTH_SCHEMAS = {
  header: HeaderAuthSchema,
  basic: BasicAuthSchema,
  bearer: BearerAuthSchema,
  xmpp: XmppAuthSchema,
  hmac: HmacAuthSchema,
} as const;

export type AuthKind = keyof typeof AUTH_SCHEMAS;
export type HeaderAuth = Static<typeof HeaderAuthSchema>;
export type BasicAuth = Static<typeof BasicAuthSchema>;
export type BearerAuth = Static<typeof BearerAuthSchema>;
export type XmppAuth = Static<typeof XmppAuthSchema>;
export type HmacAuth = Static<typeof HmacAuthSchema>;
export type AuthScheme = HeaderAuth | BasicAuth | BearerAuth | XmppAuth | HmacAuth;
