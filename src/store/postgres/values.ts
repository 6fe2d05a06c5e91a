/**
 * The small keyed tables in PostgreSQL (store/types.ts): plugins' values and versions, `correct:`
 * threads, the offline grace's hashes. The keyed values themselves, shared fresh by replicas, are keyed.ts's.
 */
import type { SQL } from "bun";
import { postgresKeyedValues } from "./keyed.ts";
import type { GraceRows, KeyedRows, KeyedWrite, ThreadRows } from "../types.ts";

type Tx = SQL;

/** A migration's write, inside its transaction (not announced: replicas starting together wait on the migration). */
async function write(tx: Tx, plugin: string, w: KeyedWrite): Promise<void> {
  if (w.json === undefined) await tx`DELETE FROM plugin_data WHERE plugin = ${plugin} AND collection = ${w.collection} AND key = ${w.key}`;
  else
    await tx`INSERT INTO plugin_data (plugin, collection, key, value, updated_at, rev) VALUES (${plugin}, ${w.collection}, ${w.key}, ${w.json}, ${Date.now()}, nextval('plugin_data_rev'))
             ON CONFLICT (plugin, collection, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, rev = nextval('plugin_data_rev')`;
}

export function postgresKeyed(sql: SQL): KeyedRows {
  return {
    ...postgresKeyedValues(sql),
    version: async (plugin) => Number((await sql`SELECT version FROM plugin_versions WHERE plugin = ${plugin}`)[0]?.version ?? 0),
    // Legacy tables are those of SQLite files from before the keyed API: a PostgreSQL store never had any.
    legacyTables: async () => new Map(),
    migrated: (plugin, version, writes, drops) =>
      sql.begin(async (tx) => {
        for (const w of writes) await write(tx, plugin, w);
        // Names checked by the caller (the plugin's own, [a-z0-9_]); none exists in a PostgreSQL store.
        for (const table of drops) await tx.unsafe(`DROP TABLE IF EXISTS ${table}`);
        await tx`INSERT INTO plugin_versions (plugin, version) VALUES (${plugin}, ${version})
                 ON CONFLICT (plugin) DO UPDATE SET version = EXCLUDED.version`;
      }),
  };
}

export function postgresThreads(sql: SQL): ThreadRows {
  return {
    get: async (slot, after) =>
      (await sql`SELECT first_id FROM correct_threads WHERE slot = ${slot} AND remembered_at > ${after}`)[0]?.first_id,
    remember: (row, bounds) =>
      sql.begin(async (tx) => {
        await tx`INSERT INTO correct_threads (slot, route, first_id, remembered_at) VALUES (${row.slot}, ${row.route}, ${row.id}, ${row.at})
                 ON CONFLICT (slot) DO UPDATE SET route = EXCLUDED.route, first_id = EXCLUDED.first_id, remembered_at = EXCLUDED.remembered_at, n = DEFAULT`;
        await tx`DELETE FROM correct_threads WHERE route = ${row.route} AND remembered_at <= ${bounds.expiredUpTo}`;
        // Past the newest max of this route: the oldest go first (n breaks a tie in time).
        await tx`DELETE FROM correct_threads WHERE slot IN (
                   SELECT slot FROM correct_threads WHERE route = ${row.route} ORDER BY remembered_at DESC, n DESC OFFSET ${bounds.max})`;
      }),
    delete: async (slot) => void (await sql`DELETE FROM correct_threads WHERE slot = ${slot}`),
  };
}

export function postgresGrace(sql: SQL): GraceRows {
  return {
    async get(scheme, jid) {
      const [row] = await sql`SELECT hash, valid_at FROM auth_grace WHERE scheme = ${scheme} AND jid = ${jid}`;
      return row ? { hash: String(row.hash), valid_at: Number(row.valid_at) } : undefined;
    },
    put: async (scheme, jid, hash, validAt) =>
      void (await sql`INSERT INTO auth_grace (scheme, jid, hash, valid_at) VALUES (${scheme}, ${jid}, ${hash}, ${validAt})
                      ON CONFLICT (scheme, jid) DO UPDATE SET hash = EXCLUDED.hash, valid_at = EXCLUDED.valid_at`),
    touch: async (scheme, jid, validAt) =>
      void (await sql`UPDATE auth_grace SET valid_at = ${validAt} WHERE scheme = ${scheme} AND jid = ${jid}`),
    expire: async (scheme, before) => void (await sql`DELETE FROM auth_grace WHERE scheme = ${scheme} AND valid_at < ${before}`),
  };
}
