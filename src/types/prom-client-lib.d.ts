// prom-client's index also loads its summaries, Pushgateway, default metrics and cluster
// aggregator, and with them Node's `cluster`, `v8`, `perf_hooks`, `http` shims: 3.6 MB of idle
// RSS in the compiled binary for nothing the gateway uses (bench/README.md, "What each library
// costs"). src/metrics.ts imports the four classes from their own files; their types are the index's.
declare module "prom-client/lib/registry" {
  export { Registry as default } from "prom-client";
}
declare module "prom-client/lib/counter" {
  export { Counter as default } from "prom-client";
}
declare module "prom-client/lib/gauge" {
  export { Gauge as default } from "prom-client";
}
declare module "prom-client/lib/histogram" {
  export { Histogram as default } from "prom-client";
}
