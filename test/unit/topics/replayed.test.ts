// A stream's replay and its live side meet once (issue 26): another replica's event can be in the
// cache the replay read while its notification is still on its way; when it arrives, the stream
// has it already. The race pinned step by step: a store whose fan-out the test plays.
import { describe, expect, test } from "bun:test";
import { liveFeed } from "../../../src/features/ntfy/subscribe.ts";
import { silentLogger } from "../../../src/log.ts";
import { openStore } from "../../../src/store/db.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { afterReplay } from "../../../src/topics/replayed.ts";
import { GatewayTopics } from "../../../src/topics/topics.ts";
import type { TopicEvent } from "../../../src/topics/types.ts";

/** Topics on a SQLite store whose fan-out is the test's: `hear` is another replica's NOTIFY arriving. */
function replica() {
  const store = sqliteStore(openStore(":memory:"));
  let hear: (json: string) => void = () => {};
  const fanout = { announce: async () => {}, listen: async (onEvent: (json: string) => void) => void (hear = onEvent) };
  const topics = new GatewayTopics({ ...store, fanout });
  /** What another replica does: caches `id`, and its notification is heard when the test says. */
  const elsewhere = async (id: string) => {
    const event: TopicEvent = { id, time: 1, expires: 4_000_000_000, event: "message", topic: "alerts", message: id, source: "http" };
    await store.topics.put(
      { id, topic: "alerts", time: 1, expires: 4_000_000_000, json: JSON.stringify(event) },
      { maxRows: 100, maxBytes: 1_000_000 },
    );
    return () => hear(JSON.stringify(event));
  };
  return { topics, elsewhere };
}

/** An ntfy stream's live side (subscribe.ts liveFeed) after `replayed`: the ids it sends. */
function stream(topics: GatewayTopics, replayed: readonly TopicEvent[]) {
  const sent: string[] = [];
  const deps = {
    auth: undefined,
    topics,
    log: silentLogger,
    open: { count: 0 },
    streams: new Set<never>(),
    route: { path: "/", auth: undefined },
  };
  const sub = { topics: ["alerts"], poll: false, cursor: "all" as const, filter: {}, named: "alerts", user: undefined };
  const settings = { keepalive_s: 3600, max_topics: 10, buffer_bytes: 1_000_000, max_subscribers: 10 };
  const stop = liveFeed(sub, settings, deps, replayed, { send: (e) => void sent.push(e.id), tick: () => {}, end: () => {} });
  return { sent, stop };
}

describe("a since=all stream while another replica publishes", () => {
  test("an event its replay read, notified only after the stream subscribed, is not sent again", async () => {
    const { topics, elsewhere } = replica();
    const notifyEarly = await elsewhere("early0000001");
    notifyEarly();
    const notifyLate = await elsewhere("late00000002");
    const replayed = await topics.cached(["alerts"], "all");
    expect(replayed.map((e) => e.id)).toEqual(["early0000001", "late00000002"]);
    const { sent, stop } = stream(topics, replayed);
    notifyLate();
    const notifyNext = await elsewhere("next00000003");
    notifyNext();
    expect(sent).toEqual(["next00000003"]);
    stop();
  });
});

describe("afterReplay", () => {
  const event = (id: string) => ({ id, time: 1, event: "message" as const, topic: "t", source: "http" });

  test("drops each replayed id once, lets every other event through", () => {
    const got: string[] = [];
    const onEvent = afterReplay([event("a"), event("b")], (e) => void got.push(e.id));
    for (const id of ["b", "c", "b", "a"]) onEvent(event(id));
    expect(got).toEqual(["c", "b"]);
  });

  test("remembers only the newest ids of a long replay: an older one is seen twice rather than missed", () => {
    const got: string[] = [];
    const onEvent = afterReplay([event("old"), event("mid"), event("new")], (e) => void got.push(e.id), 2);
    for (const id of ["old", "mid", "new"]) onEvent(event(id));
    expect(got).toEqual(["old"]);
  });
});
