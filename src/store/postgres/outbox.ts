/**
 * The outbox and dead letters in PostgreSQL (store/types.ts), shared by replicas (issue 26 §2).
 * A replica reads rows by claiming them: `FOR UPDATE SKIP LOCKED` lets two replicas draining at
 * once take different rows, and the claim (the replica's component address and when) keeps the
 * others off them until it is older than the lease; an ack deletes only the rows this replica
 * claimed. A replica that dies holding a claim delays its rows by the lease, never loses them.
 * While a drain runs (`holding`) the replica renews its claims every third of the lease: a slow
 * send (a stalled server, a long confirmation) keeps its rows, so the lease can be short (issue 26:
 * a dead replica's rows waited 30 s). Claims are timed by the database's clock, the one clock
 * every replica reads: a host whose clock is off cannot take a live replica's rows early.
 *
 * size() and dead() answer from counters: this replica's own writes exactly, the others' at the
 * next refresh, started by a read of the count at most once a second.
 */
import type { SQL } from "bun";
import type { DeadLetter, DeadLetterRows, OutboxRows, QueuedStanza } from "../types.ts";

/** A claim not renewed for this long is taken over (routes.yaml `outbox.claim_lease_s` sets it). */
export const CLAIM_LEASE_MS = 10_000;
/** Renewals per lease: two may fail (or the event loop stall) before a live replica's claim lapses. */
const RENEWALS_PER_LEASE = 3;
const REFRESH_MS = 1_000;

type Row = { seq: string; stanza: string; attempts: number; queued_by?: string | null };
const queued = (r: Row): QueuedStanza => ({ seq: Number(r.seq), stanza: r.stanza, attempts: Number(r.attempts) });

/** The root element's from attribute, as ltx writes it (double quotes; a JID needs no escape in its domain). */
const ROOT_FROM = /^(<[^\s>/]+(?:\s+[^\s=>]+="[^"]*")*?\s+from=")([^"]*)"/;

/** A JID's `local@`, domain and `/resource`. */
const JID_PARTS = /^([^@/]*@)?([^/]*)(\/.*)?$/;

/**
 * `stanza`, queued by the replica `by`, as this replica sends it: from `by` or a JID of it
 * becomes this replica's own (RFC 6120 §8.1.2.1: the server checks a component's from against its
 * domain; Prosody closes the stream with invalid-from). Bots and routes keep their local part.
 */
function restamped(stanza: string, by: string | null | undefined, replica: string): string {
  if (!by || by === replica) return stanza;
  return stanza.replace(ROOT_FROM, (whole, head: string, from: string) => {
    const m = JID_PARTS.exec(from);
    return m && m[2] === by ? `${head}${m[1] ?? ""}${replica}${m[3] ?? ""}"` : whole;
  });
}

/**
 * The domain of a stanza's from: the component that queued it. `store copy` writes it as
 * queued_by of a row a SQLite gateway queued, so that any replica sends it under its own address.
 */
export const senderDomain = (stanza: string): string | null => {
  const from = ROOT_FROM.exec(stanza)?.[2];
  return from === undefined ? null : (JID_PARTS.exec(from)?.[2] ?? null);
};

/** This replica's component address, and how long its claims keep the others off its rows. */
export interface Claims {
  replica: string;
  leaseMs: number;
}

export function postgresOutbox(sql: SQL, claims: Claims, counts: { size: number; dead: number }): OutboxRows {
  const { replica, leaseMs } = claims;
  const keep = keeper(sql, claims);
  let refreshedAt = Number.NEGATIVE_INFINITY;
  const refresh = () => {
    const now = performance.now();
    if (now - refreshedAt < REFRESH_MS) return;
    refreshedAt = now;
    void sql`SELECT (SELECT count(*) FROM outbox)::int AS size, (SELECT count(*) FROM dead_letter)::int AS dead`.then(
      ([row]) => Object.assign(counts, { size: Number(row.size), dead: Number(row.dead) }),
      () => {}, // unreachable: the next write reports it to the store's health
    );
  };
  return {
    size: () => (refresh(), counts.size),
    dead: () => (refresh(), counts.dead),
    async push(stanza) {
      const [row] =
        await sql`INSERT INTO outbox (stanza, queued_at, queued_by) VALUES (${stanza}, ${Date.now()}, ${replica}) RETURNING seq`;
      counts.size++;
      return Number(row.seq);
    },
    async peekAfter(seq, limit) {
      const rows: Row[] = await sql`
        WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)
        UPDATE outbox SET claimed_by = ${replica}, claimed_at = (SELECT ms FROM clock)
        WHERE seq IN (
          SELECT seq FROM outbox
          WHERE seq > ${seq}
            AND (claimed_by IS NULL OR claimed_by = ${replica} OR claimed_at < (SELECT ms FROM clock) - ${leaseMs}::bigint)
          ORDER BY seq LIMIT ${limit} FOR UPDATE SKIP LOCKED
        )
        RETURNING seq, stanza, attempts, queued_by`;
      return rows.map((r) => queued({ ...r, stanza: restamped(r.stanza, r.queued_by, replica) })).sort((a, b) => a.seq - b.seq);
    },
    async ack(seq) {
      const done = await sql`DELETE FROM outbox WHERE seq <= ${seq} AND claimed_by = ${replica}`;
      counts.size = Math.max(0, counts.size - done.count);
    },
    holding: keep,
    async fail(seq, reason) {
      const [row] = await sql`UPDATE outbox SET attempts = attempts + 1, last_error = ${reason} WHERE seq = ${seq} RETURNING attempts`;
      return row ? Number(row.attempts) : 0;
    },
    async bury(seq, reason) {
      const moved = await sql.begin(async (tx) => {
        const [row] = await tx`DELETE FROM outbox WHERE seq = ${seq} RETURNING seq, stanza, queued_at, attempts`;
        if (!row) return false;
        await tx`INSERT INTO dead_letter (seq, stanza, queued_at, failed_at, attempts, reason)
                 VALUES (${row.seq}, ${row.stanza}, ${row.queued_at}, ${Date.now()}, ${row.attempts}, ${reason})`;
        return true;
      });
      if (moved) [counts.size, counts.dead] = [Math.max(0, counts.size - 1), counts.dead + 1];
      return moved;
    },
    async oldestQueuedAt() {
      const [row] = await sql`SELECT min(queued_at) AS at FROM outbox`;
      return row?.at == null ? undefined : Number(row.at);
    },
  };
}

/**
 * `holding`: while any drain runs, every claim of this replica is renewed each third of the lease
 * (one UPDATE; a failed one is let pass, the next may succeed, the store's health reports outages).
 */
function keeper(sql: SQL, { replica, leaseMs }: Claims): OutboxRows["holding"] {
  let holders = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const renew = () =>
    void sql`UPDATE outbox SET claimed_at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint WHERE claimed_by = ${replica}`.catch(
      () => {},
    );
  return async (work) => {
    if (holders++ === 0) {
      timer = setInterval(renew, leaseMs / RENEWALS_PER_LEASE);
      timer.unref();
    }
    try {
      return await work();
    } finally {
      if (--holders === 0) clearInterval(timer);
    }
  };
}

type DeadRow = Record<keyof DeadLetter, string | number>;

export function postgresDeadLetters(sql: SQL): DeadLetterRows {
  return {
    count: async () => Number((await sql`SELECT count(*)::int AS n FROM dead_letter`)[0].n),
    async list() {
      const rows: DeadRow[] = await sql`SELECT seq, stanza, queued_at, failed_at, attempts, reason FROM dead_letter ORDER BY seq`;
      return rows.map((r) => ({
        seq: Number(r.seq),
        stanza: String(r.stanza),
        queued_at: Number(r.queued_at),
        failed_at: Number(r.failed_at),
        attempts: Number(r.attempts),
        reason: String(r.reason),
      }));
    },
    retry: (seq) =>
      sql.begin(async (tx) => {
        const [row] = await tx`DELETE FROM dead_letter WHERE seq = ${seq} RETURNING stanza`;
        if (!row) return false;
        // Queued again by the stanza's own component (a replica, or the SQLite gateway `store copy`
        // moved it from): whichever replica sends it puts its own address in the from.
        await tx`INSERT INTO outbox (stanza, queued_at, queued_by) VALUES (${row.stanza}, ${Date.now()}, ${senderDomain(row.stanza)})`;
        return true;
      }),
    drop: async (seq) => (await sql`DELETE FROM dead_letter WHERE seq = ${seq}`).count > 0,
  };
}
