import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../../src/store/db.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { GatewayTopics } from "../../../src/topics/topics.ts";

function topicsAt(clock: { t: number }, limits = { durationS: 3600, maxRows: 1000, maxBytes: 1_048_576 }, db = openStore(":memory:")) {
  return new GatewayTopics(sqliteStore(db), { now: () => clock.t, limits });
}

const msg = (topic: string, message: string) => ({ event: "message" as const, topic, message, source: "http" });

describe("the topics' cache", () => {
  test("gives each event ntfy's 12-character id, its time and when it expires", async () => {
    const topics = topicsAt({ t: 1000 });
    const e = await topics.publish(msg("alerts", "hi"));
    expect(e.id).toMatch(/^[A-Za-z0-9]{12}$/);
    expect([e.time, e.expires]).toEqual([1000, 4600]);
  });

  test("since=<id> gives what came after that id, oldest first, across the topics asked", async () => {
    const topics = topicsAt({ t: 1000 });
    const first = await topics.publish(msg("a", "1"));
    await topics.publish(msg("b", "2"));
    await topics.publish(msg("c", "not asked"));
    await topics.publish(msg("a", "3"));
    expect((await topics.cached(["a", "b"], { after: first.id })).map((e) => e.message)).toEqual(["2", "3"]);
    expect((await topics.cached(["a", "b"], "all")).map((e) => e.message)).toEqual(["1", "2", "3"]);
    expect(await topics.cached(["a"], "none")).toEqual([]);
  });

  test("an id the cache does not hold starts at the beginning: seen twice rather than missed", async () => {
    const topics = topicsAt({ t: 1000 });
    await topics.publish(msg("a", "1"));
    expect((await topics.cached(["a"], { after: "unknownid123" })).map((e) => e.message)).toEqual(["1"]);
  });

  test("since=<time> starts at that time; latest is each topic's last", async () => {
    const clock = { t: 1000 };
    const topics = topicsAt(clock);
    await topics.publish(msg("a", "old"));
    clock.t = 2000;
    await topics.publish(msg("a", "new"));
    await topics.publish(msg("b", "b's"));
    expect((await topics.cached(["a"], { from: 1500 })).map((e) => e.message)).toEqual(["new"]);
    expect((await topics.cached(["a", "b"], "latest")).map((e) => e.message)).toEqual(["new", "b's"]);
  });

  test("forgets events past cache_duration", async () => {
    const clock = { t: 1000 };
    const topics = topicsAt(clock);
    await topics.publish(msg("a", "1"));
    clock.t = 1000 + 3600;
    expect(await topics.cached(["a"], "all")).toEqual([]);
    expect(await topics.sweep()).toBe(1);
  });

  test("keeps at most max rows and max bytes per topic, the oldest going first", async () => {
    const topics = topicsAt({ t: 1000 }, { durationS: 3600, maxRows: 3, maxBytes: 1_048_576 });
    for (const n of ["1", "2", "3", "4", "5"]) await topics.publish(msg("a", n));
    await topics.publish(msg("b", "other topic"));
    expect((await topics.cached(["a"], "all")).map((e) => e.message)).toEqual(["3", "4", "5"]);
    const small = topicsAt({ t: 1000 }, { durationS: 3600, maxRows: 100, maxBytes: 400 });
    for (let n = 0; n < 10; n++) await small.publish(msg("a", "x".repeat(100)));
    const kept = await small.cached(["a"], "all");
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.reduce((sum, e) => sum + JSON.stringify(e).length, 0)).toBeLessThanOrEqual(400);
  });

  test("the filters: ids, exact message and title, any of the priorities, all of the tags", async () => {
    const topics = topicsAt({ t: 1000 });
    const a = await topics.publish({ ...msg("a", "disk full"), title: "db", priority: 5, tags: ["warning", "db"] });
    await topics.publish({ ...msg("a", "ok"), tags: ["db"] });
    expect((await topics.cached(["a"], "all", { ids: [a.id] })).map((e) => e.message)).toEqual(["disk full"]);
    expect((await topics.cached(["a"], "all", { message: "ok" })).map((e) => e.message)).toEqual(["ok"]);
    expect((await topics.cached(["a"], "all", { title: "db" })).map((e) => e.message)).toEqual(["disk full"]);
    expect((await topics.cached(["a"], "all", { priorities: [3] })).map((e) => e.message)).toEqual(["ok"]);
    expect((await topics.cached(["a"], "all", { tags: ["db", "warning"] })).map((e) => e.message)).toEqual(["disk full"]);
  });

  test("survives a restart: the store file keeps the events and their order", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "topics-")), "store.db");
    const before = topicsAt({ t: 1000 }, undefined, openStore(path));
    const first = await before.publish(msg("a", "1"));
    await before.publish(msg("a", "2"));
    const after = topicsAt({ t: 1001 }, undefined, openStore(path));
    expect((await after.cached(["a"], { after: first.id })).map((e) => e.message)).toEqual(["2"]);
  });
});

describe("the topics' live bus", () => {
  test("delivers to the subscribers of the event's topic only, after caching it", async () => {
    const topics = topicsAt({ t: 1000 });
    const seen: Array<Promise<string>> = [];
    topics.subscribe(
      ["a", "b"],
      // Asked as the event is delivered: the cache has it already.
      (e) => seen.push(topics.cached([e.topic], "latest").then((c) => `${e.topic}:${e.message}:${c[0]?.id === e.id}`)),
      () => {},
    );
    await topics.publish(msg("a", "1"));
    await topics.publish(msg("c", "2"));
    await topics.publish(msg("b", "3"));
    expect(await Promise.all(seen)).toEqual(["a:1:true", "b:3:true"]);
    expect(topics.stats()).toEqual({ subscribers: 1, dropped: 0 });
  });

  test("a subscriber whose onEvent throws is closed with the reason and counted; the others still get every event", async () => {
    const topics = topicsAt({ t: 1000 });
    const healthy: string[] = [];
    const closed: string[] = [];
    topics.subscribe(
      ["a"],
      () => {
        throw new Error("buffer full");
      },
      (reason) => closed.push(reason),
    );
    topics.subscribe(
      ["a"],
      (e) => healthy.push(e.message ?? ""),
      () => closed.push("healthy closed"),
    );
    await topics.publish(msg("a", "1"));
    await topics.publish(msg("a", "2"));
    expect(healthy).toEqual(["1", "2"]);
    expect(closed).toEqual(["buffer full"]);
    expect(topics.stats()).toEqual({ subscribers: 1, dropped: 1 });
  });

  test("close stops delivery and is counted once", async () => {
    const topics = topicsAt({ t: 1000 });
    const seen: string[] = [];
    const sub = topics.subscribe(
      ["a"],
      (e) => seen.push(e.message ?? ""),
      () => {},
    );
    sub.close();
    sub.close();
    await topics.publish(msg("a", "1"));
    expect(seen).toEqual([]);
    expect(topics.stats()).toEqual({ subscribers: 0, dropped: 0 });
  });
});

describe("the cache's limits (topics:)", () => {
  test("cache_duration_s: 0 keeps nothing: subscribers get live events only", async () => {
    const topics = topicsAt({ t: 1000 }, { durationS: 0, maxRows: 10, maxBytes: 10_000 });
    const live: string[] = [];
    topics.subscribe(
      ["a"],
      (e) => live.push(e.message ?? ""),
      () => {},
    );
    await topics.publish(msg("a", "1"));
    expect(live).toEqual(["1"]);
    expect(await topics.cached(["a"], "all")).toEqual([]);
  });

  test("a reload's limits apply to what is published next", async () => {
    const topics = topicsAt({ t: 1000 });
    topics.configure({ durationS: 3600, maxRows: 1, maxBytes: 10_000 });
    await topics.publish(msg("a", "1"));
    await topics.publish(msg("a", "2"));
    expect((await topics.cached(["a"], "all")).map((e) => e.message)).toEqual(["2"]);
  });
});
