/** GET /openapi.json: the OpenAPI document of what this gateway serves (document.ts), behind its own auth scheme when one is named. */
import type { Static } from "@sinclair/typebox";
import pkg from "../../../package.json" with { type: "json" };
import { endpointSection } from "../../config/endpoint-section.ts";
import { errorResponse, jsonResponse } from "../../errors.ts";
import { defineFeature } from "../../feature-api.ts";
import type { GatewayRequest } from "../../http/request-context.ts";
import { openApiDocument } from "./document.ts";
import { OpenApiSchema } from "./schema.ts";

export default defineFeature<Static<typeof OpenApiSchema>>({
  name: "openapi",
  summary: "The generated OpenAPI document.",
  section: { key: "openapi", schema: OpenApiSchema, check: (raw, c) => endpointSection(OpenApiSchema, "openapi", raw, c) },
  start(ctx) {
    const { enabled, path, auth: scheme } = ctx.part;
    const auth = scheme ? ctx.authenticators.get(scheme) : undefined;
    if (!enabled) return {};
    // Built once per configuration: the routes cannot change without a reload.
    let document: Record<string, unknown> | undefined;
    const handle = async (request: GatewayRequest) => {
      if (request.method !== "GET" || request.context.path !== path) return undefined;
      try {
        await auth?.authenticate(request, request.context.client);
        document ??= openApiDocument(ctx, ctx.http.routes, pkg.version);
        return jsonResponse(200, document);
      } catch (err) {
        return errorResponse(err);
      }
    };
    return { endpoints: [{ path, probe: false, handle }] };
  },
});
