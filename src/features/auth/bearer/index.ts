/** `kind: bearer`: named tokens, each with the recipients it may address. */
import { defineAuthKind, defineFeature } from "../../../feature-api.ts";
import { bearerCheck } from "./check.ts";
import { BearerAuthSchema } from "./schema.ts";

export default defineFeature({
  name: "auth-bearer",
  summary: "Named bearer tokens.",
  authKinds: [
    defineAuthKind({
      kind: "bearer",
      schema: BearerAuthSchema,
      create: (name, scheme) => bearerCheck(name, scheme),
      securityScheme: () => ({ type: "http", scheme: "bearer" }),
    }),
  ],
});
