/**
 * Plugins' and features' keyed values in PostgreSQL (store/types.ts KeyedRows), fresh across
 * replicas (issue 26): every write takes the next number of the sequence plugin_data_rev under
 * the row's lock (so the writes of one key are numbered in the order they commit) and notifies
 * the channel stanzagate_keyed in the same statement (a NOTIFY is sent at commit, never for a
 * write that failed). Each replica's views (store/keyed-view.ts) apply what others wrote, newer
 * rev first wins. A payload is at most 8000 bytes (PostgreSQL docs, NOTIFY): a larger value is
 * announced by its key and read back by the listeners.
 */
import { randomUUID } from "node:crypto";
import type { SQL } from "bun";
import type { KeyedChange, KeyedRows } from "../types.ts";

const CHANNEL = "stanzagate_keyed";
/** Below NOTIFY's 8000 bytes, with room for the origin and the rev. */
const MAX_INLINE_BYTES = 7_800;
/** `<origin> <rev> <what>`: what is the JSON of Announced. */
const PAYLOAD = /^(\S+) (\d+) ([\s\S]*)$/;

/** What a notification says after its origin and rev: `j` the value, absent for `d`eleted or too large (`r`ead it). */
interface Announced {
  p: string;
  c: string;
  k: string;
  j?: string;
  d?: true;
  r?: true;
}

type Address = { plugin: string; collection: string; key: string };

function announced(at: Address, json: string | undefined): string {
  const address = { p: at.plugin, c: at.collection, k: at.key };
  if (json === undefined) return JSON.stringify({ ...address, d: true });
  const inline = JSON.stringify({ ...address, j: json });
  return Buffer.byteLength(inline) <= MAX_INLINE_BYTES ? inline : JSON.stringify({ ...address, r: true });
}

/** One set or delete and its notification, in one statement; answers its rev (0: nothing was deleted). */
async function written(sql: SQL, head: string, at: Address, json: string | undefined): Promise<number> {
  const what = announced(at, json);
  const rows =
    json === undefined
      ? await sql`WITH w AS (DELETE FROM plugin_data WHERE plugin = ${at.plugin} AND collection = ${at.collection} AND key = ${at.key}
                             RETURNING nextval('plugin_data_rev') AS rev)
                  SELECT rev, pg_notify(${CHANNEL}, ${head}::text || rev::text || ' ' || ${what}::text) FROM w`
      : await sql`WITH w AS (INSERT INTO plugin_data (plugin, collection, key, value, updated_at, rev)
                             VALUES (${at.plugin}, ${at.collection}, ${at.key}, ${json}, ${Date.now()}, nextval('plugin_data_rev'))
                             ON CONFLICT (plugin, collection, key) DO UPDATE
                               SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, rev = nextval('plugin_data_rev')
                             RETURNING rev)
                  SELECT rev, pg_notify(${CHANNEL}, ${head}::text || rev::text || ' ' || ${what}::text) FROM w`;
  return Number(rows[0]?.rev ?? 0);
}

async function read(sql: SQL, at: Address): Promise<{ json: string; rev: number } | undefined> {
  const [row] =
    await sql`SELECT value, rev FROM plugin_data WHERE plugin = ${at.plugin} AND collection = ${at.collection} AND key = ${at.key}`;
  return row ? { json: String(row.value), rev: Number(row.rev) } : undefined;
}

/** The keyed part of KeyedRows that replicas share; values.ts adds versions and migrations. */
export function postgresKeyedValues(sql: SQL): Pick<KeyedRows, "all" | "set" | "delete" | "put" | "read" | "increment" | "follow"> {
  // This store's own notifications come back to its listener too: skipped by origin (fanout.ts).
  const origin = randomUUID();
  const head = `${origin} `;
  // One after the other: a pool would run two at once, and the later write could land first.
  let last: Promise<unknown> = Promise.resolve();
  const put = (at: Address, json: string | undefined): Promise<number> => {
    const next = last.then(
      () => written(sql, head, at, json),
      () => written(sql, head, at, json),
    );
    last = next.catch(() => {});
    return next;
  };
  return {
    all: async (plugin) =>
      (await sql`SELECT collection, key, value, rev FROM plugin_data WHERE plugin = ${plugin} ORDER BY collection, updated_at, key`).map(
        (r: { collection: string; key: string; value: string; rev: string }) => ({
          collection: r.collection,
          key: r.key,
          json: r.value,
          rev: Number(r.rev),
        }),
      ),
    set: async (at, json) => void (await put(at, json)),
    delete: async (at) => void (await put(at, undefined)),
    put,
    read: (at) => read(sql, at),
    // Not announced: a counter is asked of the store each time, never read from a view.
    increment: async (at) =>
      Number(
        (
          await sql`INSERT INTO plugin_data (plugin, collection, key, value, updated_at, rev)
                    VALUES (${at.plugin}, ${at.collection}, ${at.key}, '1', ${Date.now()}, nextval('plugin_data_rev'))
                    ON CONFLICT (plugin, collection, key) DO UPDATE
                      SET value = (plugin_data.value::bigint + 1)::text, updated_at = EXCLUDED.updated_at, rev = nextval('plugin_data_rev')
                    RETURNING value`
        )[0]?.value,
      ),
    async follow(onChange, onResumed) {
      let listened = false;
      // Bun.SQL re-listens after the connection drops and runs this again: the first time is no resumption.
      const onListen = () => (listened ? onResumed?.() : void (listened = true));
      const subscription = await sql.listen(
        CHANNEL,
        (payload) => {
          const change = parse(payload, origin);
          if (!change) return;
          if (!("read" in change)) return onChange(change);
          // Too large to announce: read back, with the rev of what is read (a later write's, maybe).
          void read(sql, change.at).then(
            (row) => row && onChange({ ...change.at, json: row.json, rev: row.rev }),
            () => {},
          );
        },
        onListen,
      );
      return () => void subscription.unlisten().catch(() => {});
    },
  };
}

/** Another replica's notification: the change, or the address to read; undefined for this store's own or a malformed one. */
function parse(payload: string, origin: string): KeyedChange | { read: true; at: Address } | undefined {
  const m = PAYLOAD.exec(payload);
  if (!m || m[1] === origin) return undefined;
  let what: Announced;
  try {
    what = JSON.parse(m[3] as string) as Announced;
  } catch {
    return undefined;
  }
  const at = { plugin: what.p, collection: what.c, key: what.k };
  if (what.r) return { read: true, at };
  return { ...at, json: what.d ? undefined : what.j, rev: Number(m[2]) };
}
