// Footprint probe: the floor. Bun.serve answering /health and nothing else, compiled like the gateway.
import { probePort } from "./port.ts";

Bun.serve({ hostname: "127.0.0.1", port: probePort(process.argv), fetch: () => new Response("ok") });
setTimeout(() => (Bun.gc(true), Bun.shrink()), 1_000).unref();
