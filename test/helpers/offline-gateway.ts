// A gateway built in-process and never connected (no listen): declarative routes queue (202),
// which is enough to drive HTTP, request logs and metrics with bare Request objects.
import { createGateway, type Gateway } from "../../src/app.ts";
import { createLogger, type LogLevel } from "../../src/log.ts";
import { loadTestConfig } from "./gateway.ts";

export const OFFLINE_HEAD = [
  "xmpp:",
  "  server: xmpp://127.0.0.1:1",
  "  component: gw.example",
  "  secret: s3cret-component",
  "  host: example",
  'store: ":memory:"',
  "",
].join("\n");

export interface OfflineGateway {
  gateway: Gateway;
  logs: Array<Record<string, unknown>>;
  /** Lines whose msg is "http request". */
  requestLines(): Array<Record<string, unknown>>;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** GET /metrics (or `path`) as text. */
  scrape(path?: string, init?: RequestInit): Promise<string>;
}

export async function offlineGateway(rest: string, level: LogLevel = "info"): Promise<OfflineGateway> {
  const config = loadTestConfig(OFFLINE_HEAD + rest);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level, write: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const gateway = await createGateway(config, { log });
  const request = (path: string, init: RequestInit = {}) => gateway.handle(new Request(`http://gw.test${path}`, init));
  return {
    gateway,
    logs,
    requestLines: () => logs.filter((l) => l.msg === "http request"),
    request,
    scrape: async (path = "/metrics", init = {}) => (await request(path, init)).text(),
  };
}

/** The value of one sample in a text exposition, e.g. sample(text, 'stanzagate_deliveries_total{outcome="queued"}'). */
export function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
