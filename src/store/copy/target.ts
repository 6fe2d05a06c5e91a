/**
 * The PostgreSQL side of `stanzagate store copy`: every row of the source in ONE transaction,
 * the sequences set past what was copied, the counts checked before COMMIT. Either the whole
 * store arrives or nothing does: a failed copy leaves the target as empty as it was (the
 * sequences excepted: setval is never rolled back, and a gap in seq harms nothing).
 */
import type { SQL } from "bun";
import { migratePostgres, POSTGRES_SCHEMA_VERSION } from "../postgres/migrations.ts";
import { refuseWhileInUse } from "./in-use.ts";
import { CopyRefused, type CopySource, type Row, STOP_THE_GATEWAY } from "./source.ts";
import { COPIED_TABLES, type CopiedTable, TARGET_TABLES } from "./tables.ts";

export interface CopyOptions {
  /** Empty a target that already holds rows (they are lost) instead of refusing it. */
  force: boolean;
}

export interface CopyOutcome {
  /** Rows copied per table, as counted in the target before COMMIT. */
  counts: Map<string, number>;
  /** Rows the target held and --force emptied, per table (only those that held some). */
  replaced: Map<string, number>;
  /** The next seq the outbox hands out. */
  nextSeq: number;
  targetVersion: number;
}

export async function copyInto(sql: SQL, source: CopySource, options: CopyOptions): Promise<CopyOutcome> {
  await migratePostgres(sql);
  const [schema] = await sql`SELECT version FROM stanzagate_schema`;
  const targetVersion = Number(schema.version);
  if (targetVersion > POSTGRES_SCHEMA_VERSION) {
    throw new CopyRefused(
      `the target was migrated by a newer Stanzagate (schema ${targetVersion}; this one knows up to ${POSTGRES_SCHEMA_VERSION})`,
    );
  }
  if (options.force) await refuseWhileInUse(sql);
  return sql.begin(async (tx) => {
    // Gateways already on the target wait until the copy commits (or see it refused as non-empty).
    await tx.unsafe(`LOCK TABLE ${TARGET_TABLES.join(", ")} IN EXCLUSIVE MODE`);
    const replaced = await emptied(tx, options);
    for (const table of COPIED_TABLES) {
      for (const page of source.pages(table)) await insert(tx, table, page);
    }
    const nextSeq = await advanceSequences(tx, source);
    const counts = await verified(tx, source);
    if (source.changedSince()) {
      throw new CopyRefused(
        `${source.path} changed while it was copied (a gateway is running on it?); nothing was copied: ${STOP_THE_GATEWAY}`,
      );
    }
    return { counts, replaced, nextSeq, targetVersion };
  });
}

/** The rows the target holds: none, or --force deletes them in this transaction. */
async function emptied(tx: SQL, options: CopyOptions): Promise<Map<string, number>> {
  const held = new Map<string, number>();
  for (const [name, n] of await countAll(tx, TARGET_TABLES)) if (n > 0) held.set(name, n);
  if (held.size === 0) return held;
  const list = [...held].map(([name, n]) => `${name} ${n}`).join(", ");
  if (!options.force) {
    throw new CopyRefused(
      `the target already holds rows (${list}): copy into an empty database (CREATE DATABASE), or give --force to replace them (they are lost)`,
    );
  }
  await tx.unsafe(`TRUNCATE ${TARGET_TABLES.join(", ")}`);
  return held;
}

async function countAll(tx: SQL, tables: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const name of tables) counts.set(name, Number((await tx.unsafe(`SELECT count(*) AS n FROM ${name}`))[0].n));
  return counts;
}

async function insert(tx: SQL, table: CopiedTable, page: Row[]): Promise<void> {
  const derived = Object.entries(table.derive ?? {});
  const rows = derived.length ? page.map((row) => ({ ...row, ...Object.fromEntries(derived.map(([c, f]) => [c, f(row)])) })) : page;
  const columns = [...table.columns, ...derived.map(([c]) => c)];
  await tx`INSERT INTO ${tx(table.name)} ${tx(rows, ...columns)}`;
}

/** Each BIGSERIAL past the highest value the source handed out; returns the outbox's next seq. */
async function advanceSequences(tx: SQL, source: CopySource): Promise<number> {
  let nextSeq = 1;
  for (const table of COPIED_TABLES) {
    if (!table.serial) continue;
    const highest = source.highest(table);
    if (highest > 0) await tx`SELECT setval(pg_get_serial_sequence(${table.name}, ${table.serial}), ${highest}, true)`;
    if (table.name === "outbox") nextSeq = highest + 1;
  }
  return nextSeq;
}

/** The target's counts, which must be the source's, table by table, before COMMIT. */
async function verified(tx: SQL, source: CopySource): Promise<Map<string, number>> {
  const counts = await countAll(
    tx,
    COPIED_TABLES.map((t) => t.name),
  );
  const wrong = [...counts].filter(([name, n]) => n !== source.counts.get(name));
  if (wrong.length > 0) {
    const list = wrong.map(([name, n]) => `${name}: ${n} in PostgreSQL, ${source.counts.get(name)} in the source`).join("; ");
    throw new CopyRefused(`the copy's counts differ (${list}); nothing was copied`);
  }
  return counts;
}
