/** `kind: hmac` under auth: its keys. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../../config/schema.ts";

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

export type HmacAuth = Static<typeof HmacAuthSchema>;
