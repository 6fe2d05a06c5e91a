import { describe, expect, test } from "bun:test";
import { openStore } from "../../src/store/db.ts";
import { migratePlugin, pluginStore } from "../../src/store/plugin-store.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { PERMISSION_MIGRATIONS, createPermissionMemory } from "../../plugins/post_msg/permission-memory.ts";
import { SNAPSHOT_MIGRATIONS, createSnapshotStore } from "../../plugins/roster_admin/snapshots.ts";

describe("a store written by the previous version (plugins with tables of their own)", () => {
  test("keeps post_msg's last advertisement, with and without the namespace column", async () => {
    const db = openStore(":memory:");
    db.exec("CREATE TABLE post_msg_message_permission (component TEXT, host TEXT, granted INTEGER, advertised_at INTEGER, namespace TEXT)");
    db.run("INSERT INTO post_msg_message_permission VALUES ('gw.example.com', 'example.com', 1, 1, 'urn:xmpp:privilege:1')");
    await migratePlugin(sqliteStore(db), "post_msg", PERMISSION_MIGRATIONS);
    const memory = createPermissionMemory(await pluginStore(sqliteStore(db), "post_msg"), "gw.example.com", "example.com");
    expect([memory.load(), memory.namespace()]).toEqual([true, "urn:xmpp:privilege:1"]);
    expect(db.query("SELECT name FROM sqlite_master WHERE name = 'post_msg_message_permission'").all()).toEqual([]);
  });

  test("keeps roster_admin's snapshots, and runs each migration once", async () => {
    const db = openStore(":memory:");
    db.exec("CREATE TABLE roster_admin_snapshots (username TEXT, roster TEXT, managed TEXT, clean INTEGER, synced_at INTEGER)");
    db.run(`INSERT INTO roster_admin_snapshots VALUES ('john', '[]', '["a@example.com"]', 0, 1)`);
    await migratePlugin(sqliteStore(db), "roster_admin", SNAPSHOT_MIGRATIONS);
    const snapshots = createSnapshotStore(await pluginStore(sqliteStore(db), "roster_admin"));
    snapshots.save("aaron", { roster: "[]", managed: [], clean: true });
    await migratePlugin(sqliteStore(db), "roster_admin", SNAPSHOT_MIGRATIONS);
    expect(snapshots.get("john")).toEqual({ roster: "[]", managed: ["a@example.com"], clean: false });
    expect(snapshots.get("aaron")).toEqual({ roster: "[]", managed: [], clean: true });
  });

  test("a plugin's migration cannot reach another plugin's tables", async () => {
    const db = openStore(":memory:");
    await expect(migratePlugin(sqliteStore(db), "post_msg", [(store) => store.drop("roster_admin_snapshots")])).rejects.toThrow(
      "post_msg may only migrate its own tables",
    );
  });
});
