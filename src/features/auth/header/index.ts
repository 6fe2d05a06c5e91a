/** `kind: header`: one exact Authorization header value (as mod_http_muc_kick's). */
import { defineAuthKind, defineFeature } from "../../../feature-api.ts";
import { headerCheck } from "./check.ts";
import { HeaderAuthSchema } from "./schema.ts";

export default defineFeature({
  name: "auth-header",
  summary: "An exact Authorization header value.",
  authKinds: [
    defineAuthKind({
      kind: "header",
      schema: HeaderAuthSchema,
      create: (name, scheme) => headerCheck(name, scheme),
      securityScheme: () => ({ type: "apiKey", in: "header", name: "Authorization", description: "The exact value configured." }),
    }),
  ],
});
