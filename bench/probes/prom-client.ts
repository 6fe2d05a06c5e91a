// Footprint probe: what prom-client adds to the floor (serve-only.ts): a registry, a counter, a histogram,
// imported from their own files as src/metrics.ts does.
import Registry from "prom-client/lib/registry";
import Counter from "prom-client/lib/counter";
import Histogram from "prom-client/lib/histogram";
import { probePort } from "./port.ts";

const registry = new Registry();
const requests = new Counter({ name: "probe_requests_total", help: "requests", labelNames: ["status"], registers: [registry] });
new Histogram({ name: "probe_seconds", help: "latency", registers: [registry] });
Bun.serve({ hostname: "127.0.0.1", port: probePort(process.argv), fetch: () => (requests.inc({ status: "200" }), new Response("ok")) });
setTimeout(() => (Bun.gc(true), Bun.shrink()), 1_000).unref();
