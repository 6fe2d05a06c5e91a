// The delivery's check while the link is up reads the outbox's own count (store/types.ts
// OutboxRows.counted): another process's rows (the CLI's retry) wait for the next drain, which
// asks size(), and size() still sees them at once (outbox-cli.test.ts).
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { createOutbox } from "../../src/store/outbox.ts";
import { createStoreHealth } from "../../src/store/store-health.ts";
import { silentLogger } from "../../src/log.ts";
import { waitFor } from "../../testbed/timeouts.ts";

test("counted() is this process's count; size() also sees another connection's commit", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "sg-counted-")), "s.db");
  const db = openStore(path);
  const outbox = createOutbox(sqliteStore(db), 10, createStoreHealth(sqliteStore(db), path, silentLogger));
  await outbox.push("<message id='a'/>");
  expect([outbox.counted(), outbox.size()]).toEqual([1, 1]);

  const other = openStore(path);
  other.query("INSERT INTO outbox (stanza, queued_at) VALUES (?, ?)").run("<message id='b'/>", Date.now());
  other.close();
  expect(outbox.counted()).toBe(1);
  // size() looks for other writers' commits at most once a millisecond.
  await waitFor(() => outbox.size() === 2, 1_000, "size() to see the other connection's row");
  // Once size() has looked, the count it found is the one counted() answers.
  expect(outbox.counted()).toBe(2);
  db.close();
});
