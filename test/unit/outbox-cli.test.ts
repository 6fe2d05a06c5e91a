// `stanzagate outbox list | retry ID | drop ID` on the store file a config names.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { outboxCommand } from "../../src/cli/outbox.ts";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { createOutbox } from "../../src/store/outbox.ts";
import { createStoreHealth } from "../../src/store/store-health.ts";
import { silentLogger } from "../../src/log.ts";

function capture() {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, io: { out: (l: string) => void lines.out.push(l), err: (l: string) => void lines.err.push(l) } };
}

describe("the outbox command", () => {
  test("a PostgreSQL store it cannot open: one line naming it (password masked), exit 1, no stack trace", async () => {
    const { lines, io } = capture();
    expect(await outboxCommand("postgres://app:p%40ss@127.0.0.1:1/stanzagate", { action: "list" }, io)).toBe(1);
    expect(lines.out).toEqual([]);
    expect(lines.err).toHaveLength(1);
    expect(lines.err[0]).toStartWith("the store postgres://app:***@127.0.0.1:1/stanzagate: ");
  });

  test("parses list, retry ID and drop ID, and refuses anything else", () => {
    expect(parseArgs(["outbox", "list", "--config", "x.yaml"])).toEqual({
      command: "outbox",
      config: "x.yaml",
      outbox: { action: "list" },
    });
    expect(parseArgs(["outbox", "retry", "7"])).toMatchObject({ outbox: { action: "retry", id: 7 } });
    expect(parseArgs(["outbox", "drop", "x"])).toEqual({ error: "outbox drop needs the id of a dead letter (see outbox list)" });
    expect(parseArgs(["outbox"])).toEqual({ error: "outbox needs list, retry ID or drop ID" });
  });

  test("lists dead letters, retries one into the queue the running gateway sees, drops another", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "sg-cli-")), "s.db");
    const db = openStore(path);
    const outbox = createOutbox(sqliteStore(db), 10, createStoreHealth(sqliteStore(db), path, silentLogger));
    const [a, b] = [await outbox.push("<message id='a'/>"), await outbox.push("<message id='b'/>")] as number[];
    await outbox.bury(a as number, "stream error: policy-violation");
    await outbox.bury(b as number, "stream error: not-well-formed");
    expect(outbox.size()).toBe(0);

    const list = capture();
    expect(await outboxCommand(path, { action: "list" }, list.io)).toBe(0);
    expect(list.lines.out.slice(0, 2)).toEqual(["queued: 0", "dead letters: 2"]);
    expect(list.lines.out[2]).toMatch(new RegExp(`^${a}\\tattempts=0\\tfailed_at=.*\\treason=stream error: policy-violation$`));

    expect(await outboxCommand(path, { action: "retry", id: a as number }, capture().io)).toBe(0);
    expect(await outboxCommand(path, { action: "drop", id: b as number }, capture().io)).toBe(0);
    // The gateway's open outbox notices the other process's commit.
    expect(outbox.size()).toBe(1);
    expect(outbox.dead()).toBe(0);
    const missing = capture();
    expect(await outboxCommand(path, { action: "drop", id: 999 }, missing.io)).toBe(1);
    expect(missing.lines.err).toEqual(["no dead letter with id 999 (see stanzagate outbox list)"]);
  });

  test("a config whose store file does not exist is an error, and no file is created", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "sg-cli-")), "none.db");
    const out = capture();
    expect(await outboxCommand(path, { action: "list" }, out.io)).toBe(1);
    expect(out.lines.err[0]).toContain(`no store file at ${path}`);
    expect(Bun.file(path).size).toBe(0);
  });
});
