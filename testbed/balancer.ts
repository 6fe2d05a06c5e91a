// A round-robin HTTP balancer in front of gateway replicas, for the replicas tests (issue 26 §4):
// each request goes to the next replica; one that refuses the connection (it is dead) is skipped
// for the next, as a balancer's passive health check does. Any other failure (the replica died
// with the request in hand) is answered 502 and never retried: a POST may have been queued
// already, and nginx's proxy_next_upstream does not resend a non-idempotent request either.
import { freePort } from "./ports.ts";

export interface Balancer {
  url: string;
  /** Requests each replica was handed (by index). */
  handed: number[];
  stop(): Promise<void>;
}

const refused = (err: unknown): boolean => /ConnectionRefused|ECONNREFUSED/.test(String((err as { code?: unknown }).code ?? err));

export async function startBalancer(replicas: () => readonly string[]): Promise<Balancer> {
  const port = await freePort();
  let turn = 0;
  const handed: number[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    async fetch(request) {
      const url = new URL(request.url);
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
      const targets = replicas();
      const first = turn++;
      for (let tried = 0; tried < targets.length; tried++) {
        const n = (first + tried) % targets.length;
        try {
          const answer = await fetch(`${targets[n]}${url.pathname}${url.search}`, {
            method: request.method,
            headers: request.headers,
            body,
          });
          handed[n] = (handed[n] ?? 0) + 1;
          return answer;
        } catch (err) {
          if (!refused(err)) return new Response(`replica ${n} failed: ${String(err)}`, { status: 502 });
        }
      }
      return new Response("no replica is up", { status: 503 });
    },
  });
  return { url: `http://127.0.0.1:${port}`, handed, stop: async () => void server.stop(true) };
}
