// A listening gateway with no XMPP server behind it whose /metrics needs a bearer token, throttled
// after 3 failures: enough to watch who the throttle and the request log take a client to be.
import { createGateway, type Gateway } from "../../src/app.ts";
import { createLogger } from "../../src/log.ts";
import { loadTestConfig } from "./gateway.ts";

export const SCRAPE_TOKEN = "scrape-token-0123456789";

export interface GuardedMetrics {
  gateway: Gateway;
  port: number;
  /** The `client` of each request log line so far (probes included: the logger is at debug). */
  clients(): unknown[];
}

/** `http` is the inside of the http section after `listen` (trusted_proxies, ...). */
export async function guardedMetrics(http: string): Promise<GuardedMetrics> {
  const config = loadTestConfig(`
xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
http: { listen: "127.0.0.1:0", ${http} }
store: ":memory:"
auth_throttle: { max_failures: 3, window_s: 60 }
auth:
  scrapers: { kind: bearer, tokens: [{ token: ${SCRAPE_TOKEN}, name: prometheus }] }
metrics: { auth: scrapers }
`);
  const logs: Array<Record<string, unknown>> = [];
  const gateway = await createGateway(config, {
    log: createLogger({ level: "debug", write: (l) => void logs.push(JSON.parse(l) as Record<string, unknown>) }),
  });
  const port = gateway.listen();
  return { gateway, port, clients: () => logs.filter((l) => l.msg === "http request").map((l) => l.client) };
}
