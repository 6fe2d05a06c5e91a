// A whole gateway in-process on a FakeEntity: routes.yaml text in, `Request`s in, `Response`s and
// the stanzas it wrote out. No socket on either side; the unit tier's way to test a route.
import type { Element } from "ltx";
import { createGateway, type Gateway } from "../../src/app.ts";
import { createLogger } from "../../src/log.ts";
import { FakeEntity } from "./fake-entity.ts";
import { loadTestConfig, logTail } from "./gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";

/** xmpp/store head for host localhost and component gateway.localhost (the test bed's names). */
export const FAKE_HEAD = [
  "xmpp:",
  "  server: xmpp://127.0.0.1:1",
  "  component: gateway.localhost",
  "  secret: s3cret-component",
  "  host: localhost",
  'store: ":memory:"',
  "",
].join("\n");

const ONLINE_TIMEOUT_MS = 5_000;

export interface FakeGateway {
  gateway: Gateway;
  entity: FakeEntity;
  logs: Array<Record<string, unknown>>;
  /** One HTTP request through the gateway's handler, as from 127.0.0.1. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** What the gateway wrote to the (fake) server, without the link's own questions (pings, which server). */
  stanzas(): Element[];
  stop(): Promise<void>;
}

/**
 * `rest` is the routes.yaml after the xmpp/store head: auth, routes; `store` a file instead of
 * memory; `maxStanzaBytes` the xmpp section's; `component` its domain (a replica's own). Resolves once the link is online.
 */
export async function fakeGateway(
  rest: string,
  options: { store?: string; maxStanzaBytes?: number; component?: string } = {},
): Promise<FakeGateway> {
  let head = options.store === undefined ? FAKE_HEAD : FAKE_HEAD.replace('store: ":memory:"', `store: ${JSON.stringify(options.store)}`);
  if (options.component !== undefined) head = head.replace("component: gateway.localhost", `component: ${options.component}`);
  if (options.maxStanzaBytes !== undefined)
    head = head.replace("  host: localhost", `  host: localhost\n  max_stanza_bytes: ${options.maxStanzaBytes}`);
  const config = loadTestConfig(head + rest);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: "debug", write: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const entity = new FakeEntity();
  const gateway = await createGateway(config, { log, createEntity: () => entity });
  gateway.link.start();
  await waitFor(() => gateway.link.status === "online", ONLINE_TIMEOUT_MS, "the fake link to come online", logTail(logs));
  return {
    gateway,
    entity,
    logs,
    request: (path, init = {}) => gateway.handle(new Request(`http://127.0.0.1${path}`, init)),
    stanzas: () => entity.sent.filter((s) => !isLinkHousekeeping(s)),
    stop: () => gateway.stop({ flushTimeoutMs: 1_000 }),
  };
}

/** The link's own questions: confirmation pings (XEP-0199) and which server it is (XEP-0092, XEP-0030). */
function isLinkHousekeeping(stanza: Element): boolean {
  const ns = stanza.name === "iq" && stanza.attrs.type === "get" ? stanza.getChildElements()[0]?.attrs.xmlns : undefined;
  return ns === "urn:xmpp:ping" || ns === "jabber:iq:version" || ns === "http://jabber.org/protocol/disco#info";
}
