// The store's specification, its caches' part (store-conformance.ts runs it): `correct:` threads,
// the topics' events, the files' index and the offline grace, against each backend.
import { describe, expect, test } from "bun:test";
import type { FileRow, Store } from "../../src/store/types.ts";

type OpenStore = () => Promise<Store>;

export function describeCaches(backend: string, open: OpenStore): void {
  describe(`${backend}: correct: threads`, () => describeThreads(open));
  describe(`${backend}: the topics' events`, () => describeTopics(open));
  describe(`${backend}: the files' index and the offline grace`, () => describeFiles(open));
}

const row = (slot: string, at: number, route = "POST /a") => ({ slot, route, id: `id-${slot}`, at });

function describeThreads(open: OpenStore): void {
  test("a slot remembered is found while younger than `after`, rewritten by a later remember, forgotten by delete", async () => {
    const store = await open();
    await store.threads.remember(row("s1", 1000), { expiredUpTo: 0, max: 10 });
    expect(await store.threads.get("s1", 999)).toBe("id-s1");
    expect(await store.threads.get("s1", 1000)).toBeUndefined();
    await store.threads.remember({ ...row("s1", 2000), id: "later" }, { expiredUpTo: 0, max: 10 });
    expect(await store.threads.get("s1", 1500)).toBe("later");
    await store.threads.delete("s1");
    expect(await store.threads.get("s1", 0)).toBeUndefined();
    await store.close();
  });

  test("a remember forgets the route's expired rows and those past its newest max, the oldest first; other routes keep theirs", async () => {
    const store = await open();
    await store.threads.remember(row("other", 1, "POST /b"), { expiredUpTo: 0, max: 10 });
    for (const [n, at] of [1, 2, 3, 4].entries()) await store.threads.remember(row(`t${at}`, 100 + n), { expiredUpTo: 0, max: 3 });
    expect(await Promise.all(["t1", "t2", "t3", "t4"].map((s) => store.threads.get(s, 0)))).toEqual([undefined, "id-t2", "id-t3", "id-t4"]);
    await store.threads.remember(row("t5", 200), { expiredUpTo: 102, max: 3 });
    expect(await Promise.all(["t2", "t3", "t4", "t5"].map((s) => store.threads.get(s, 0)))).toEqual([
      undefined,
      undefined,
      "id-t4",
      "id-t5",
    ]);
    expect(await store.threads.get("other", 0)).toBe("id-other");
    await store.close();
  });
}

const event = (id: string, topic: string, time: number, message = id, expires = time + 100) => ({
  id,
  topic,
  time,
  expires,
  json: JSON.stringify({ id, topic, time, message }),
});
const BIG = { maxRows: 1000, maxBytes: 1_000_000 };
const ids = (json: string[]) => json.map((j) => (JSON.parse(j) as { id: string }).id);

function describeTopics(open: OpenStore): void {
  test("events come back in the order they were put, from a start: all, after an id, from a time, each topic's latest", async () => {
    const store = await open();
    await store.topics.put(event("e1", "a", 10), BIG);
    await store.topics.put(event("e2", "b", 20), BIG);
    await store.topics.put(event("e3", "c", 30), BIG);
    await store.topics.put(event("e4", "a", 40), BIG);
    const read = (topics: string[], start: Parameters<Store["topics"]["read"]>[1]) => store.topics.read(topics, start, 50, 100);
    expect(ids(await read(["a", "b"], "all"))).toEqual(["e1", "e2", "e4"]);
    expect(ids(await read(["a", "b"], { afterId: "e1" }))).toEqual(["e2", "e4"]);
    expect(ids(await read(["a"], { afterId: "never-held" }))).toEqual(["e1", "e4"]);
    expect(ids(await read(["a", "b", "c"], { fromTime: 30 }))).toEqual(["e3", "e4"]);
    expect(ids(await read(["a", "b"], "latest"))).toEqual(["e2", "e4"]);
    expect(ids(await read([], "all"))).toEqual([]);
    expect(ids(await store.topics.read(["a", "b", "c"], "all", 50, 2))).toEqual(["e1", "e2"]);
    await store.close();
  });

  test("expired events are not read, and a sweep forgets them", async () => {
    const store = await open();
    await store.topics.put(event("old", "a", 10, "old", 20), BIG);
    await store.topics.put(event("new", "a", 15, "new", 100), BIG);
    expect(ids(await store.topics.read(["a"], "all", 20, 100))).toEqual(["new"]);
    expect(await store.topics.sweep(20)).toBe(1);
    expect(await store.topics.sweep(20)).toBe(0);
    await store.close();
  });

  test("a topic keeps at most maxRows events and maxBytes of JSON, the oldest going first; other topics keep theirs", async () => {
    const store = await open();
    await store.topics.put(event("b1", "b", 1), BIG);
    for (let n = 1; n <= 5; n++) await store.topics.put(event(`r${n}`, "a", n), { maxRows: 3, maxBytes: 1_000_000 });
    expect(ids(await store.topics.read(["a", "b"], "all", 0, 100))).toEqual(["b1", "r3", "r4", "r5"]);
    const size = Buffer.byteLength(event("x1", "x", 1, "y".repeat(100)).json);
    for (let n = 1; n <= 5; n++) await store.topics.put(event(`x${n}`, "x", n, "y".repeat(100)), { maxRows: 100, maxBytes: 2 * size });
    expect(ids(await store.topics.read(["x"], "all", 0, 100))).toEqual(["x4", "x5"]);
    await store.close();
  });
}

const file = (id: string, sha256: string, size: number, expires_at: number): FileRow => ({
  id,
  sha256,
  name: `${id}.png`,
  type: "image/png",
  size,
  stored_at: 1,
  expires_at,
});

function describeFiles(open: OpenStore): void {
  test("a file row is found until it expires; rows sharing a blob count its bytes once", async () => {
    const store = await open();
    await store.files.insert(file("f1", "aa", 100, 1000));
    await store.files.insert(file("f2", "aa", 100, 2000));
    await store.files.insert(file("f3", "bb", 50, 3000));
    expect(await store.files.find("f1", 999)).toEqual(file("f1", "aa", 100, 1000));
    expect(await store.files.find("f1", 1000)).toBeUndefined();
    expect(await store.files.storedBytes()).toBe(150);
    expect([...(await store.files.blobs())].sort()).toEqual(["aa", "bb"]);
    expect(await store.files.expire(2000)).toBe(2);
    expect([await store.files.names("aa"), await store.files.names("bb")]).toEqual([false, true]);
    await store.files.delete("f3");
    expect([await store.files.storedBytes(), (await store.files.blobs()).size]).toEqual([0, 0]);
    await store.close();
  });

  test("insertIfRoom judges a row against what the rows hold, bytes already named adding nothing", async () => {
    const store = await open();
    const asked: Array<[number, number]> = [];
    const room = (quota: number) => (added: number, stored: number) => asked.push([added, stored]) > 0 && stored + added <= quota;
    expect(await store.files.insertIfRoom(file("f1", "aa", 100, 1000), room(150))).toEqual({ inserted: true, stored: 100 });
    expect(await store.files.insertIfRoom(file("f2", "bb", 100, 1000), room(150))).toEqual({ inserted: false, stored: 100 });
    expect(await store.files.insertIfRoom(file("f3", "aa", 100, 1000), room(150))).toEqual({ inserted: true, stored: 100 });
    expect(asked).toEqual([
      [100, 0],
      [100, 100],
      [0, 100],
    ]);
    expect([await store.files.find("f2", 0), (await store.files.find("f3", 0))?.sha256]).toEqual([undefined, "aa"]);
    await store.close();
  });

  test("the offline grace keeps one hash per scheme and user, moved by touch, forgotten by expire", async () => {
    const store = await open();
    await store.grace.put("users", "alice@localhost", "hash-1", 100);
    await store.grace.put("users", "alice@localhost", "hash-2", 200);
    await store.grace.put("admins", "alice@localhost", "hash-3", 100);
    expect(await store.grace.get("users", "alice@localhost")).toEqual({ hash: "hash-2", valid_at: 200 });
    await store.grace.touch("users", "alice@localhost", 300);
    await store.grace.expire("admins", 150);
    await store.grace.expire("users", 250);
    expect(await store.grace.get("users", "alice@localhost")).toEqual({ hash: "hash-2", valid_at: 300 });
    expect(await store.grace.get("admins", "alice@localhost")).toBeUndefined();
    await store.probe();
    await store.close();
  });
}
