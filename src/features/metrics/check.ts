/** The metrics (or openapi) section against the rest: its auth scheme must exist, its path must be free. */
import type { Static } from "@sinclair/typebox";
import type { AuthScheme } from "../../auth/schema.ts";
import type { Diagnostic, SourceLocator } from "../../config/diagnostics.ts";
import type { RouteConfig } from "../../config/config-types.ts";
import type { MetricsSchema } from "../../config/schema.ts";
import { suggest } from "../../config/suggest.ts";

export function checkMetrics(
  metrics: Static<typeof MetricsSchema>,
  auth: Record<string, AuthScheme>,
  routes: readonly RouteConfig[],
  locate: SourceLocator,
  out: Diagnostic[],
  section: "metrics" | "openapi" = "metrics",
): void {
  if (metrics.auth !== undefined && !(metrics.auth in auth)) {
    const names = Object.keys(auth);
    const hint = suggest(metrics.auth, names);
    out.push(
      locate.at(
        [section, "auth"],
        `no auth scheme named ${JSON.stringify(metrics.auth)}${hint ? ` (did you mean "${hint}"?)` : ""} (defined: ${names.join(", ") || "none"})`,
      ),
    );
  }
  const clash = routes.find((r) => r.kind === "declarative" && r.path === metrics.path);
  if (metrics.enabled && clash)
    out.push(locate.at([section, "path"], `${metrics.path} is already served by ${clash.at}; choose another ${section}.path`));
}
