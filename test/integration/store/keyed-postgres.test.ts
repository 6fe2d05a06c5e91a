// Plugins' keyed values on replicas sharing one PostgreSQL store (issue 26): what one replica's
// plugin store writes, another's serves without a reload (LISTEN/NOTIFY, store/postgres/keyed.ts),
// and writes of one key from both at once leave every view with the value the store holds (each
// write's rev, store/keyed-view.ts). Two stores on one database stand for two replicas.
import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { pluginStore } from "../../../src/store/plugin-store.ts";
import { postgresStore } from "../../../src/store/postgres/index.ts";
import type { Store } from "../../../src/store/types.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";

const databases = usePostgresDatabases("keyed");
const opened: Store[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

/** Two replicas' stores on one fresh database (its name last, for the test that shuts it). */
async function replicas(): Promise<[Store, Store, string]> {
  const url = await databases.fresh();
  for (const name of ["a", "b"]) opened.push(await postgresStore(url, { replica: `${name}.gw.localhost`, max: 3 }));
  return [opened[0] as Store, opened[1] as Store, new URL(url).pathname.slice(1)];
}

describe("keyed values on replicas sharing one PostgreSQL store", () => {
  test("a value one replica writes, changes or deletes is served by the other's plugin store without a reload", async () => {
    const [a, b] = await replicas();
    const [onA, onB] = [await pluginStore(a, "bots"), await pluginStore(b, "bots")];
    onA.keyed<{ value: string }>("jobs").set("tick", { value: "up" });
    await waitFor(() => onB.keyed<{ value: string }>("jobs").get("tick")?.value === "up", 5_000, "b to see a's value");
    onB.keyed<{ value: string }>("jobs").set("tick", { value: "down" });
    await waitFor(() => onA.keyed<{ value: string }>("jobs").get("tick")?.value === "down", 5_000, "a to see b's change");
    // Larger than a notification carries: announced by its key, read back.
    const large = "x".repeat(20_000);
    onA.keyed<string>("snapshots").set("roster", large);
    await waitFor(() => onB.keyed<string>("snapshots").get("roster") === large, 5_000, "b to read a's large value back");
    onB.keyed<string>("jobs").delete("tick");
    await waitFor(() => onA.keyed<string>("jobs").get("tick") === undefined, 5_000, "a to see b's deletion");
    // Another plugin's values are not mixed in.
    expect((await pluginStore(b, "gotify")).keyed<string>("jobs").get("tick")).toBeUndefined();
  });

  test("both replicas writing one key at once: each view ends with the value the store holds", async () => {
    const [a, b] = await replicas();
    const [onA, onB] = [await pluginStore(a, "mqtt"), await pluginStore(b, "mqtt")];
    for (let i = 0; i < 40; i++) {
      onA.keyed<string>("filters").set("topic", `a${i}`);
      onB.keyed<string>("filters").set("topic", `b${i}`);
    }
    await Promise.all([onA.flushed(), onB.flushed()]);
    const held = JSON.parse((await a.keyed.read({ plugin: "mqtt", collection: "filters", key: "topic" }))?.json ?? "null") as string;
    // The last write to land was one replica's own last.
    expect(["a39", "b39"]).toContain(held);
    const both = () => [onA.keyed<string>("filters").get("topic"), onB.keyed<string>("filters").get("topic")];
    await waitFor(() => both().every((v) => v === held), 5_000, `both views to hold ${held}`);
  });

  test("fresh reads a key as the store holds it now, for a caller that cannot wait for the announcement", async () => {
    const [a, b] = await replicas();
    const [onA, onB] = [await pluginStore(a, "bots"), await pluginStore(b, "bots")];
    onA.keyed<number>("jobs").set("count", 3);
    await onA.flushed();
    expect(await onB.keyed<number>("jobs").fresh("count")).toBe(3);
    expect(onB.keyed<number>("jobs").get("count")).toBe(3);
  });

  test("what was written while a replica's listener was away reaches it once the listener is back", async () => {
    const [a, b, name] = await replicas();
    const [onA, onB] = [await pluginStore(a, "roster_admin"), await pluginStore(b, "roster_admin")];
    onA.keyed<number>("snapshots").set("kept", 1);
    onA.keyed<number>("snapshots").set("gone", 1);
    await waitFor(() => onB.keyed<number>("snapshots").get("gone") === 1, 5_000, "b to see a's values");
    // No new connection to the database (the listeners cannot come back), and the listeners dropped;
    // a's pool keeps the connection it writes on.
    const admin = new SQL(databases.server().url);
    await admin.unsafe(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name} AND query ILIKE 'LISTEN%'`;
    onA.keyed<number>("snapshots").set("kept", 2);
    onA.keyed<number>("snapshots").delete("gone");
    onA.keyed<number>("snapshots").set("new", 3);
    await onA.flushed();
    expect(onB.keyed<number>("snapshots").get("kept")).toBe(1);
    await admin.unsafe(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await admin.close();
    const seen = () => ["kept", "gone", "new"].map((k) => onB.keyed<number>("snapshots").get(k));
    await waitFor(() => JSON.stringify(seen()) === JSON.stringify([2, undefined, 3]), 20_000, "b to catch up after its listener is back");
  });
});
