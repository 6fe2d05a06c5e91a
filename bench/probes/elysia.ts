// Footprint probe: what elysia adds to the floor (serve-only.ts) for one route.
import { Elysia } from "elysia";
import { probePort } from "./port.ts";

new Elysia().get("/health", () => "ok").listen({ hostname: "127.0.0.1", port: probePort(process.argv) });
setTimeout(() => (Bun.gc(true), Bun.shrink()), 1_000).unref();
