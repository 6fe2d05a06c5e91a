/** `kind: hmac`: a signature of the raw body, as GitHub, Gitea, Standard Webhooks and Grafana senders put it. */
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
        description: `An HMAC-SHA256 signature of the raw body (format ${scheme.format})${
          scheme.timestamp_header ? `, over \`<${scheme.timestamp_header}>:<body>\`` : ""
        }.`,
      }),
      // Only Grafana's signature names a timestamp header of the user's choosing.
      check: (scheme) =>
        scheme.timestamp_header !== undefined && scheme.format !== "grafana"
          ? [
              {
                key: "timestamp_header",
                message: `timestamp_header is read only with format: grafana (this scheme is format: ${scheme.format})`,
              },
            ]
          : [],
    }),
  ],
});
