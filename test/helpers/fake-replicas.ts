// Replicas as a balancer sees them: in-process gateways (fake-gateway.ts) sharing one SQLite store
// file, each its own component domain, as replicas sharing a PostgreSQL store each send from theirs.
import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Element } from "ltx";
import { fakeGateway, type FakeGateway } from "./fake-gateway.ts";

/**
 * One replica per `components` domain, in that order, started before the file's tests and stopped
 * after them (the store removed). `rest` is the routes.yaml after the xmpp/store head (fakeGateway's).
 */
export function useFakeReplicas(rest: string, components: readonly string[]): FakeGateway[] {
  const dir = mkdtempSync(join(tmpdir(), "sg-replicas-"));
  const started: FakeGateway[] = [];
  beforeAll(async () => {
    for (const component of components) started.push(await fakeGateway(rest, { store: join(dir, "store.db"), component }));
  });
  afterAll(async () => {
    await Promise.all(started.map((r) => r.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  return components.map((_, i) => startedOne(() => started[i]));
}

/** A replica the tests may name before beforeAll started it. */
function startedOne(get: () => FakeGateway | undefined): FakeGateway {
  const one = (): FakeGateway => {
    const gw = get();
    if (!gw) throw new Error("the replicas start in beforeAll: use them in tests");
    return gw;
  };
  return {
    get gateway() {
      return one().gateway;
    },
    get entity() {
      return one().entity;
    },
    get logs() {
      return one().logs;
    },
    request: (path, init) => one().request(path, init),
    stanzas: () => one().stanzas(),
    stop: () => one().stop(),
  };
}

/** One request through `gw`: its answer and the chat messages it sent. */
export async function messagesOf(gw: FakeGateway, path: string, init: RequestInit): Promise<{ response: Response; sent: Element[] }> {
  const before = gw.stanzas().length;
  const response = await gw.request(path, init);
  const sent = gw
    .stanzas()
    .slice(before)
    .filter((s) => s.name === "message");
  return { response, sent };
}
