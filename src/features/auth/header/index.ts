/** `kind: header`: one exact header value, Authorization by default (as mod_http_muc_kick's). */
import { defineAuthKind, defineFeature } from "../../../feature-api.ts";
import { headerCheck } from "./check.ts";
import { DEFAULT_HEADER, HeaderAuthSchema } from "./schema.ts";

export default defineFeature({
  name: "auth-header",
  summary: "An exact header value (Authorization unless named).",
  authKinds: [
    defineAuthKind({
      kind: "header",
      schema: HeaderAuthSchema,
      create: (name, scheme) => headerCheck(name, scheme),
      securityScheme: (scheme) => ({
        type: "apiKey",
        in: "header",
        name: scheme.header ?? DEFAULT_HEADER,
        description: "The exact value configured.",
      }),
    }),
  ],
});
