/**
 * What `stanzagate store copy` moves from a SQLite store to PostgreSQL: every table the
 * migrations make (sqlite/migrations.ts), column by column as PostgreSQL names them, in the
 * order rows were written (rowid) so that a table's serial order survives the move.
 */

import { senderDomain } from "../postgres/outbox.ts";

/** One table copied as it is. */
export interface CopiedTable {
  readonly name: string;
  /** The columns, as both stores name them, except where `read` says how SQLite gives one. */
  readonly columns: readonly string[];
  /** SQLite expressions for columns only PostgreSQL has (`n`, the order SQLite's rowid keeps). */
  readonly read?: Readonly<Record<string, string>>;
  /** Columns only PostgreSQL has, made from the row read. */
  readonly derive?: Readonly<Record<string, (row: Record<string, unknown>) => unknown>>;
  /** The BIGSERIAL column whose sequence must pass what was copied. */
  readonly serial?: string;
  /**
   * Tables whose keys came from the same counter: a dead letter keeps its outbox seq (bury), so
   * the outbox's next seq must pass theirs too, or a later bury would collide.
   */
  readonly sharesSerialWith?: readonly string[];
}

export const COPIED_TABLES: readonly CopiedTable[] = [
  {
    name: "outbox",
    columns: ["seq", "stanza", "queued_at", "attempts", "last_error", "claimed_by", "claimed_at"],
    // Which replica queued it: the SQLite gateway, whose address the stanza's from carries; the
    // replica that sends it puts its own there (postgres/outbox.ts), whatever its address.
    derive: { queued_by: (row) => senderDomain(String(row.stanza)) },
    serial: "seq",
    sharesSerialWith: ["dead_letter"],
  },
  { name: "dead_letter", columns: ["seq", "stanza", "queued_at", "failed_at", "attempts", "reason"] },
  { name: "auth_grace", columns: ["scheme", "jid", "hash", "valid_at"] },
  { name: "plugin_data", columns: ["plugin", "collection", "key", "value", "updated_at"] },
  { name: "plugin_versions", columns: ["plugin", "version"] },
  // PostgreSQL's `n` breaks ties in time as SQLite's rowid does (postgres/values.ts): the rowid is it.
  { name: "correct_threads", columns: ["slot", "route", "first_id", "remembered_at", "n"], read: { n: "rowid" }, serial: "n" },
  // The files' index; their blobs stay in the files/ directory next to the SQLite file.
  { name: "files", columns: ["id", "sha256", "name", "type", "size", "stored_at", "expires_at"] },
  { name: "topic_events", columns: ["seq", "id", "topic", "time", "expires", "bytes", "event"], serial: "seq" },
];

/**
 * Tables of a SQLite store that are not copied, and why: the rest (a plugin's table from before the
 * keyed API, moved by its migration when the gateway runs it) refuses the copy rather than lose it.
 */
export const LEFT_BEHIND: Readonly<Record<string, string>> = {
  store_probe: "the store probe's scratch row, rewritten by each gateway",
  sqlite_sequence: "SQLite's counters: the PostgreSQL sequences are set past them",
};

/** PostgreSQL tables a target must have empty (job_runs: a gateway's bot jobs already ran there). */
export const TARGET_TABLES: readonly string[] = [...COPIED_TABLES.map((t) => t.name), "job_runs"];
