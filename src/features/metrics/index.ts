/** GET /metrics: the Prometheus scrape of the gateway's registry, behind its own auth scheme when one is named. */
import type { Static } from "@sinclair/typebox";
import { endpointSection } from "../../config/endpoint-section.ts";
import { defineFeature } from "../../feature-api.ts";
import { getEndpoint } from "../../http/endpoint.ts";
import { MetricsSchema } from "./schema.ts";

export default defineFeature<Static<typeof MetricsSchema>>({
  name: "metrics",
  summary: "The Prometheus metrics endpoint.",
  section: { key: "metrics", schema: MetricsSchema, check: (raw, c) => endpointSection(MetricsSchema, "metrics", raw, c) },
  start({ part, authenticators, metrics }) {
    if (!part.enabled) return {};
    const auth = part.auth ? authenticators.get(part.auth) : undefined;
    const scrape = async () => new Response(await metrics.render(), { headers: { "content-type": metrics.contentType } });
    return { endpoints: [{ path: part.path, probe: true, handle: getEndpoint(part.path, auth, scrape) }] };
  },
});
