/**
 * /healthz (alive), /health and /readyz (the link, the store, the outbox, what plugins report;
 * 503 while not ready), as orchestrators and load balancers probe them. Answered without CORS
 * headers and logged at debug when they succeed.
 */
import { jsonResponse } from "../../plugin-api/errors.ts";
import { defineFeature } from "../../feature-api.ts";
import type { HealthReport } from "../../feature-api.ts";

export default defineFeature({
  name: "health",
  summary: "Liveness and readiness endpoints.",
  start({ http, gateway }) {
    const probe = { bare: true, probe: true };
    http.add("GET", "/healthz", () => jsonResponse(200, { status: "alive" }), probe);
    http.add("GET", "/health", () => healthResponse(gateway.health()), probe);
    http.add("GET", "/readyz", () => healthResponse(gateway.health()), probe);
    return {};
  },
});

function healthResponse(report: HealthReport): Response {
  return jsonResponse(report.ready ? 200 : 503, report.body);
}
