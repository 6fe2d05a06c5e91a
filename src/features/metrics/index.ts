/** GET /metrics: the Prometheus scrape of the gateway's registry, behind its own auth scheme when one is named. */
import type { Static } from "@sinclair/typebox";
import { endpointSection } from "../../config/endpoint-section.ts";
import { errorResponse } from "../../errors.ts";
import { defineFeature } from "../../feature-api.ts";
import type { GatewayRequest } from "../../http/request-context.ts";
import { MetricsSchema } from "./schema.ts";

export default defineFeature<Static<typeof MetricsSchema>>({
  name: "metrics",
  summary: "The Prometheus metrics endpoint.",
  section: { key: "metrics", schema: MetricsSchema, check: (raw, c) => endpointSection(MetricsSchema, "metrics", raw, c) },
  start({ part, authenticators, metrics }) {
    const { enabled, path, auth: scheme } = part;
    const auth = scheme ? authenticators.get(scheme) : undefined;
    if (!enabled) return {};
    const handle = async (request: GatewayRequest) => {
      if (request.method !== "GET" || request.context.path !== path) return undefined;
      try {
        await auth?.authenticate(request, request.context.client);
        return new Response(await metrics.render(), { headers: { "content-type": metrics.contentType } });
      } catch (err) {
        return errorResponse(err);
      }
    };
    return { endpoints: [{ path, probe: true, handle }] };
  },
});
