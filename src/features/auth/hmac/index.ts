/** `kind: hmac`: a signature of the raw body, as GitHub, Gitea and Standard Webhooks senders put it. */
import { defineAuthKind, defineFeature } from "../../../feature-api.ts";
import { HMAC_HEADERS, hmacCheck } from "./check.ts";
import { HmacAuthSchema } from "./schema.ts";

export default defineFeature({
  name: "auth-hmac",
  summary: "HMAC-SHA256 signatures of the raw body.",
  authKinds: [
    defineAuthKind({
      kind: "hmac",
      schema: HmacAuthSchema,
      create: (name, scheme, deps) => hmacCheck(name, scheme, { maxBodyBytes: deps.maxBodyBytes, ...(deps.now ? { now: deps.now } : {}) }),
      securityScheme: (scheme) => ({
        type: "apiKey",
        in: "header",
        name: HMAC_HEADERS[scheme.format],
        description: `An HMAC-SHA256 signature of the raw body (format ${scheme.format}).`,
      }),
    }),
  ],
});
