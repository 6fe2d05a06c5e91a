/** `kind: hmac` under auth: its keys. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../../config/schema.ts";

export const HmacAuthSchema = Closed({
  kind: Type.Literal("hmac", { description: "Selects this scheme." }),
  format: Type.Union([Type.Literal("github"), Type.Literal("gitea"), Type.Literal("standard_webhooks"), Type.Literal("grafana")], {
    description:
      "Which signature the sender puts on the raw body: github (X-Hub-Signature-256: sha256=<hex>), gitea (X-Gitea-Signature or X-Forgejo-Signature: <hex>), standard_webhooks (webhook-id, webhook-timestamp, webhook-signature: v1,<base64>), grafana (X-Grafana-Alerting-Signature: <hex>, over `<timestamp>:<body>` with timestamp_header).",
  }),
  secret: Type.String({
    minLength: 1,
    description:
      "The shared secret set on the sender; for standard_webhooks `whsec_<base64>` is the key's base64, any other string the key's bytes. Use ${VAR} to keep it out of the file.",
  }),
  timestamp_header: Type.Optional(
    Type.String({
      pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
      description:
        'grafana only: the header Grafana\'s contact point names in its HMAC settings ("Timestamp header"; Grafana has no default). Grafana then signs `<timestamp>:<body>`; a request without the header, or further than tolerance_s from now, is refused.',
    }),
  ),
  tolerance_s: Type.Integer({
    minimum: 1,
    default: 300,
    description:
      "standard_webhooks: a webhook-timestamp further than this from now (either way) is refused, and each webhook-id is accepted once within it. grafana with timestamp_header: a timestamp further than this from now is refused.",
  }),
  max_remembered_ids: Type.Integer({
    minimum: 1,
    default: 10_000,
    description:
      "standard_webhooks: accepted webhook-ids remembered to refuse replays; past this many within the window the oldest is forgotten first.",
  }),
});

export type HmacAuth = Static<typeof HmacAuthSchema>;
