/**
 * The store (store/types.ts) over one bun:sqlite file, opened and migrated by store/db.ts.
 * Every section runs its statements synchronously and answers with a resolved promise.
 */
import type { Database } from "bun:sqlite";
import type { Store } from "../types.ts";
import { sqliteFiles, sqliteTopics } from "./caches.ts";
import { sqliteDeadLetters, sqliteOutbox } from "./outbox.ts";
import { sqliteGrace, sqliteKeyed, sqliteThreads } from "./values.ts";

/** The SQLite store also hands out its file, for what reads it directly (tests, upgrade checks). */
export interface SqliteStore extends Store {
  readonly kind: "sqlite";
  readonly db: Database;
}

export function sqliteStore(db: Database): SqliteStore {
  const probe = db.query("INSERT OR REPLACE INTO store_probe (id, at) VALUES (1, ?)");
  return {
    kind: "sqlite",
    db,
    outbox: sqliteOutbox(db),
    dead: sqliteDeadLetters(db),
    keyed: sqliteKeyed(db),
    threads: sqliteThreads(db),
    topics: sqliteTopics(db),
    files: sqliteFiles(db),
    grace: sqliteGrace(db),
    // One gateway per file: its jobs' one-run-at-a-time is bots/jobs.ts's own (`running`).
    jobs: { claim: async () => true },
    fanout: { announce: async () => {}, listen: async () => {} },
    probe: async () => void probe.run(Date.now()),
    close: async () => db.close(),
  };
}
