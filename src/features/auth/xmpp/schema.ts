/** `kind: xmpp` under auth: its keys. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../../config/schema.ts";
import { Realm } from "../../../auth/schema.ts";

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

export type XmppAuth = Static<typeof XmppAuthSchema>;
