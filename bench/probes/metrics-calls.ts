// What recording one post_msg request's metrics costs, in one process: prom-client's inc/observe
// with label objects called directly, against the gateway's own recording (src/metrics.ts; round
// 6 measured a tally in plain numbers here, then did not keep it: bench/README.md). Alternated,
// 1,000,000 requests each, three times.
//   bun bench/probes/metrics-calls.ts
import Counter from "prom-client/lib/counter";
import Gauge from "prom-client/lib/gauge";
import Histogram from "prom-client/lib/histogram";
import Registry from "prom-client/lib/registry";
import { createMetrics } from "../../src/metrics.ts";

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const N = 1_000_000;
const registers = [new Registry()];
const requests = new Counter({ name: "r", help: "r", labelNames: ["route", "method", "status"], registers });
const latency = new Histogram({ name: "l", help: "l", labelNames: ["route", "method"], buckets: BUCKETS, registers });
const inFlight = new Gauge({ name: "f", help: "f", registers });
const stanzas = new Counter({ name: "s", help: "s", labelNames: ["direction", "kind"], registers });
const deliveries = new Counter({ name: "d", help: "d", labelNames: ["outcome"], registers });
const before = (i: number) => {
  inFlight.inc(1);
  inFlight.inc(-1);
  requests.inc({ route: "/msg/*", method: "POST", status: String(201) });
  latency.observe({ route: "/msg/*", method: "POST" }, 0.003 + i * 1e-9);
  stanzas.inc({ direction: "sent", kind: "message" });
  deliveries.inc({ outcome: "sent" });
};
const metrics = createMetrics({
  outbox: () => ({ depth: 0, oldestQueuedAt: undefined }),
  link: () => ({ state: "offline", onlineSince: undefined }),
});
const now = (i: number) => {
  metrics.inFlight(1);
  metrics.inFlight(-1);
  metrics.http("/msg/*", "POST", 201, 0.003 + i * 1e-9);
  metrics.stanza("sent", "message");
  metrics.delivery("sent");
};
for (let round = 0; round < 3; round++) {
  for (const [name, record] of [
    ["prom-client", before],
    ["gateway", now],
  ] as const) {
    const start = performance.now();
    for (let i = 0; i < N; i++) record(i);
    console.log(name.padEnd(12), `${(((performance.now() - start) * 1000) / N).toFixed(3)} µs per request`);
  }
}
