/** GET /openapi.json: the OpenAPI document of what this gateway serves (document.ts), behind its own auth scheme when one is named. */
import type { Static } from "@sinclair/typebox";
import pkg from "../../../package.json" with { type: "json" };
import { endpointSection } from "../../config/endpoint-section.ts";
import { jsonResponse } from "../../plugin-api/errors.ts";
import { defineFeature } from "../../feature-api.ts";
import { getEndpoint } from "../../http/endpoint.ts";
import { openApiDocument } from "./document.ts";
import { OpenApiSchema } from "./schema.ts";

export default defineFeature<Static<typeof OpenApiSchema>>({
  name: "openapi",
  summary: "The generated OpenAPI document.",
  section: { key: "openapi", schema: OpenApiSchema, check: (raw, c) => endpointSection(OpenApiSchema, "openapi", raw, c) },
  start(ctx) {
    const { part } = ctx;
    if (!part.enabled) return {};
    const auth = part.auth ? ctx.authenticators.get(part.auth) : undefined;
    // Built once per configuration, at the first request: the routes cannot change without a reload.
    let document: Record<string, unknown> | undefined;
    const describe = () => jsonResponse(200, (document ??= openApiDocument(ctx, ctx.http.routes, pkg.version)));
    return { endpoints: [{ path: part.path, probe: false, handle: getEndpoint(part.path, auth, describe) }] };
  },
});
