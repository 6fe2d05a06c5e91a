/**
 * `stanzagate outbox list | retry ID | drop ID`: the dead letters of the store a config names.
 * Safe while the gateway runs on the same store: each change is one transaction, and the gateway
 * notices other writers (store/sqlite/outbox.ts reads PRAGMA data_version; PostgreSQL counts again).
 */
import type { CliOutput } from "../feature-api.ts";
import { existsSync } from "node:fs";
import { openStoreAt } from "../store/location.ts";
import { isPostgresUrl } from "../kit/store-url.ts";
import type { DeadLetter } from "../store/types.ts";

/** What the command line asks of the dead letters (args.ts parses it). */
export type OutboxAction = { action: "list" } | { action: "retry" | "drop"; id: number };

const PREVIEW_CHARS = 200;

/** Runs one action on the store file; returns the exit code. */
export async function outboxCommand(store: string, action: OutboxAction, io: CliOutput): Promise<number> {
  if (!isPostgresUrl(store) && (store === ":memory:" || !existsSync(store))) {
    io.err(`no store file at ${store} (the "store" key of the config): nothing is queued there`);
    return 1;
  }
  // The CLI claims no outbox row: it only reads the count and moves dead letters.
  const db = await openStoreAt(store, "cli").catch((err: unknown) => {
    io.err(err instanceof Error ? err.message : String(err));
  });
  if (!db) return 1;
  try {
    if (action.action === "list") return list(db.outbox.size(), await db.dead.list(), io);
    const done = action.action === "retry" ? await db.dead.retry(action.id) : await db.dead.drop(action.id);
    if (!done) {
      io.err(`no dead letter with id ${action.id} (see stanzagate outbox list)`);
      return 1;
    }
    io.out(action.action === "retry" ? `dead letter ${action.id} queued again` : `dead letter ${action.id} dropped`);
    return 0;
  } finally {
    await db.close();
  }
}

function list(queued: number, dead: DeadLetter[], io: CliOutput): number {
  io.out(`queued: ${queued}`);
  io.out(`dead letters: ${dead.length}`);
  for (const d of dead) {
    io.out(`${d.seq}\tattempts=${d.attempts}\tfailed_at=${new Date(d.failed_at).toISOString()}\treason=${d.reason}`);
    const preview = d.stanza.length > PREVIEW_CHARS ? `${d.stanza.slice(0, PREVIEW_CHARS)}… (${d.stanza.length} chars)` : d.stanza;
    io.out(`\t${preview}`);
  }
  return 0;
}
