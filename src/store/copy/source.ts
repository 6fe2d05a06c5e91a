/**
 * The SQLite store `stanzagate store copy` reads: migrated first when an older Stanzagate wrote
 * it (a copy from an old installation works), never written otherwise (opened read-only), and
 * read in one read transaction, so every table comes from the same moment. Rows a gateway still
 * running on the file commits after that moment would be missed: such a gateway is looked for
 * before (the processes holding the file) and after (whether anyone committed since).
 */
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { fileHolders } from "../../kit/file-holders.ts";
import { openStore } from "../db.ts";
import { SQLITE_SCHEMA_VERSION } from "../sqlite/migrations.ts";
import { COPIED_TABLES, type CopiedTable, LEFT_BEHIND } from "./tables.ts";

/** Why a copy did not happen, in words for the operator (exit 1). */
export class CopyRefused extends Error {}

export type Row = Record<string, unknown>;
const PAGE_ROWS = 500;

export const STOP_THE_GATEWAY =
  "stop the gateway first (SIGTERM: it finishes what it handles and leaves the queued rows in the outbox), then copy again";

export interface CopySource {
  readonly path: string;
  /** Its schema version, after this copy migrated it if it was older (then `migratedFrom`). */
  readonly version: number;
  readonly migratedFrom?: number;
  /** Rows per copied table, in the snapshot. */
  readonly counts: ReadonlyMap<string, number>;
  /** A table's rows in the snapshot, a page at a time, in the order they were written. */
  pages(table: CopiedTable): Generator<Row[]>;
  /** The highest value the table's serial has handed out (its PostgreSQL sequence must pass it). */
  highest(table: CopiedTable): number;
  /** Ends the snapshot; whether another connection committed to the file since it began. */
  changedSince(): boolean;
  close(): void;
}

export function openSource(path: string): CopySource {
  if (!existsSync(path)) throw new CopyRefused(`no SQLite store at ${path}`);
  const holders = fileHolders(path);
  if (holders.length > 0) {
    const who = holders.map((h) => `pid ${h.pid} (${h.command})`).join(", ");
    throw new CopyRefused(`${path} is open in ${who}: rows it writes during the copy would be missed; ${STOP_THE_GATEWAY}`);
  }
  const before = schemaVersion(path);
  // openStore runs the missing migrations, in the file's own transactions, as a gateway starting on it would.
  if (before < SQLITE_SCHEMA_VERSION) openStore(path).close();
  const db = new Database(path, { readonly: true, strict: true });
  try {
    return snapshot(db, path, before);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The file's schema version, refused when it is not a Stanzagate store this build can read. */
function schemaVersion(path: string): number {
  let version: number;
  const db = new Database(path, { readonly: true, strict: true });
  try {
    version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  } catch (err) {
    throw new CopyRefused(`${path} cannot be read as a SQLite store: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    db.close();
  }
  if (version === 0) throw new CopyRefused(`${path} is not a Stanzagate store (its schema version is 0)`);
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new CopyRefused(
      `${path} was written by a newer Stanzagate (schema ${version}; this one knows up to ${SQLITE_SCHEMA_VERSION}): copy it with that version`,
    );
  }
  return version;
}

function snapshot(db: Database, path: string, before: number): CopySource {
  const copied = new Set(COPIED_TABLES.map((t) => t.name));
  const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  const unknown = tables.map((t) => t.name).filter((name) => !copied.has(name) && !(name in LEFT_BEHIND));
  if (unknown.length > 0) {
    throw new CopyRefused(
      `${path} holds tables this copy does not know: ${unknown.join(", ")} (a plugin's from before its keyed values: ` +
        "start the gateway on the SQLite file once with that plugin configured, so that it moves them, then copy)",
    );
  }
  db.exec("BEGIN");
  // The first read fixes the snapshot; data_version is read in it, to compare once the copy is done.
  const counts = new Map(COPIED_TABLES.map((t) => [t.name, count(db, t.name)]));
  const started = dataVersion(db);
  return {
    path,
    version: SQLITE_SCHEMA_VERSION,
    ...(before < SQLITE_SCHEMA_VERSION ? { migratedFrom: before } : {}),
    counts,
    pages: (table) => pages(db, table),
    highest: (table) => highest(db, table),
    changedSince() {
      if (db.inTransaction) db.exec("COMMIT");
      return dataVersion(db) !== started;
    },
    close: () => db.close(),
  };
}

const count = (db: Database, table: string): number => (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const dataVersion = (db: Database): number => (db.query("PRAGMA data_version").get() as { data_version: number }).data_version;

function* pages(db: Database, table: CopiedTable): Generator<Row[]> {
  const columns = table.columns.map((c) => (table.read?.[c] ? `${table.read[c]} AS ${c}` : c)).join(", ");
  const page = db.query<Row & { copy_rowid: number }, [number, number]>(
    `SELECT rowid AS copy_rowid, ${columns} FROM ${table.name} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
  );
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = page.all(after, PAGE_ROWS);
    if (rows.length === 0) return;
    after = (rows.at(-1) as { copy_rowid: number }).copy_rowid;
    yield rows.map(({ copy_rowid: _, ...row }) => row);
  }
}

/** The largest serial value of the table, of the tables sharing its counter, and of SQLite's own counter. */
function highest(db: Database, table: CopiedTable): number {
  const column = table.serial;
  if (!column) return 0;
  const expr = table.read?.[column] ?? column;
  const values = [table.name, ...(table.sharesSerialWith ?? [])].map(
    (name) => (db.query(`SELECT coalesce(max(${name === table.name ? expr : column}), 0) AS n FROM ${name}`).get() as { n: number }).n,
  );
  const counter = db.query<{ seq: number }, [string]>("SELECT seq FROM sqlite_sequence WHERE name = ?").get(table.name);
  return Math.max(...values, counter?.seq ?? 0);
}
