// store/bounded-keyed.ts: what an MQTT route's on_change: and a watching bot job keep per topic is
// bounded per route or job; past the bound the least recently written topic is forgotten first,
// and counted, while other groups' rows and the plugin store's view of the same rows stay as they are.
import { describe, expect, test } from "bun:test";
import { boundedKeyed } from "../../src/store/bounded-keyed.ts";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { featureStoreName, pluginStore } from "../../src/store/plugin-store.ts";
import { watchedRuns } from "../../src/features/bots/watch.ts";
import type { BotConfig, CompiledJob } from "../../src/features/bots/compiled.ts";
import type { LastRun } from "../../src/features/bots/jobs.ts";
import type { PluginMetrics } from "../../src/plugin-api/index.ts";

/** A routes feature's store over a fresh SQLite store, and its MQTT routes' bounded on_change: values. */
async function world(max = 3, store = sqliteStore(openStore(":memory:"))) {
  const plugins = await pluginStore(store, featureStoreName("routes"));
  const forgotten: number[] = [];
  const route = (name: string) =>
    boundedKeyed(plugins.keyed<string>("mqtt_on_change"), {
      prefix: `${JSON.stringify([name]).slice(0, -1)},`,
      max,
      forgotten: (keys) => void forgotten.push(keys),
    });
  return { store, plugins, route, forgotten };
}
const slot = (route: string, topic: string) => JSON.stringify([route, topic]);

describe("a bounded group of keyed values", () => {
  test("past the maximum the least recently written topic is forgotten first, and counted", async () => {
    const { route, forgotten } = await world(3);
    const values = route("doors");
    for (const topic of ["z/a", "z/b", "z/c"]) values.set(slot("doors", topic), "open");
    values.set(slot("doors", "z/a"), "closed"); // written again: now the most recent
    values.set(slot("doors", "z/d"), "open");
    values.set(slot("doors", "z/e"), "open");
    const kept = ["z/a", "z/b", "z/c", "z/d", "z/e"].map((t) => [t, values.get(slot("doors", t))]);
    expect(kept).toEqual([
      ["z/a", "closed"],
      ["z/b", undefined],
      ["z/c", undefined],
      ["z/d", "open"],
      ["z/e", "open"],
    ]);
    expect(forgotten).toEqual([1, 1]);
  });

  test("a topic written again forgets nothing", async () => {
    const { route, forgotten } = await world(2);
    const values = route("doors");
    for (let i = 0; i < 10; i++) values.set(slot("doors", `z/${i % 2}`), String(i));
    expect([values.get(slot("doors", "z/0")), values.get(slot("doors", "z/1"))]).toEqual(["8", "9"]);
    expect(forgotten).toEqual([]);
  });

  test("each route is bounded alone: one inventing topics does not push out another's, nor a route whose name extends it", async () => {
    const { route } = await world(2);
    const [doors, doorsMore] = [route("doors"), route("doors2")];
    doorsMore.set(slot("doors2", "x"), "kept");
    for (let i = 0; i < 50; i++) doors.set(slot("doors", `invented/${i}`), "v");
    expect(doorsMore.get(slot("doors2", "x"))).toBe("kept");
    expect(doors.get(slot("doors", "invented/49"))).toBe("v");
    expect(doors.get(slot("doors", "invented/47"))).toBeUndefined();
  });

  test("the rows are the plugin store's: values kept before the bound are read, and count in it", async () => {
    const { store, plugins, route, forgotten } = await world(2);
    const plain = plugins.keyed<string>("mqtt_on_change");
    plain.set(slot("doors", "old"), "before the bound");
    const values = route("doors");
    expect(values.get(slot("doors", "old"))).toBe("before the bound");
    values.set(slot("doors", "a"), "1");
    values.set(slot("doors", "b"), "2");
    expect(plain.get(slot("doors", "old"))).toBeUndefined();
    expect(forgotten).toEqual([1]);
    const stored = await store.keyed.all(featureStoreName("routes"));
    expect(stored.map((row) => row.key)).toEqual([slot("doors", "a"), slot("doors", "b")]);
  });

  test("what the store held when it opened is forgotten oldest written first, whatever the keys' order", async () => {
    const before = await world(10);
    before.plugins.keyed<string>("mqtt_on_change").set(slot("doors", "z/b"), "written first");
    before.plugins.keyed<string>("mqtt_on_change").set(slot("doors", "z/a"), "written second");
    const { route, forgotten } = await world(2, before.store);
    route("doors").set(slot("doors", "z/c"), "new");
    const kept = ["z/a", "z/b", "z/c"].map((t) => route("doors").get(slot("doors", t)));
    expect(kept).toEqual(["written second", undefined, "new"]);
    expect(forgotten).toEqual([1]);
  });

  test("a key outside the group is refused", async () => {
    const { route } = await world();
    expect(() => route("doors").set(slot("windows", "a"), "x")).toThrow(/not a key of the group/);
  });
});

describe("a watching bot job's last runs", () => {
  test("are bounded per job (past 10,000 topics the oldest tenth goes) and counted by bot and job; the bot's other jobs keep theirs", async () => {
    const jobs = (await pluginStore(sqliteStore(openStore(":memory:")), featureStoreName("bots"))).keyed<LastRun>("jobs");
    const counted: Array<[Record<string, string> | undefined, number | undefined]> = [];
    const metrics: PluginMetrics = {
      counter: () => ({ inc: (labels, by) => void counted.push([labels, by]) }),
      histogram: () => ({ observe: () => {} }),
    };
    const bot = { jid: "house@bots.localhost" } as BotConfig;
    const runs = watchedRuns(jobs, () => metrics);
    const [door, light] = [runs(bot, { name: "door" } as CompiledJob), runs(bot, { name: "light" } as CompiledJob)];
    light.set("house@ light zigbee2mqtt/lamp", { at: 1, value: "ON", held: false });
    for (let i = 0; i <= 10_000; i++) door.set(`house@ door zigbee2mqtt/${i}`, { at: i, value: "open", held: false });
    const kept = (i: number) => door.get(`house@ door zigbee2mqtt/${i}`) !== undefined;
    expect([0, 1_000, 1_001, 10_000].map(kept)).toEqual([false, false, true, true]);
    expect(light.get("house@ light zigbee2mqtt/lamp")).toMatchObject({ value: "ON" });
    expect(counted).toEqual([[{ bot: "house@bots.localhost", job: "door" }, 1_001]]);
  });
});
