// A fake gateway whose topics people write to over XMPP, with a second reader on its store: what
// the topics' cache holds (what a subscriber's since=all would replay). One per test file.
import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { GatewayTopics } from "../../src/topics/topics.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { fakeGateway, type FakeGateway } from "./fake-gateway.ts";

export interface TopicWritersGateway {
  readonly gw: FakeGateway;
  readonly cache: GatewayTopics;
}

/** Starts the gateway before the file's tests and stops it, and removes its store, after them. */
export function useTopicWritersGateway(routes: string): TopicWritersGateway {
  let dir = "";
  let gw: FakeGateway | undefined;
  let cache: GatewayTopics | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-topic-writers-"));
    gw = await fakeGateway(routes, { store: join(dir, "store.db") });
    cache = new GatewayTopics(sqliteStore(new Database(join(dir, "store.db"))));
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the topic writers' gateway is not started (use it inside tests)");
    return value;
  };
  return {
    get gw() {
      return started(gw);
    },
    get cache() {
      return started(cache);
    },
  };
}
