/**
 * The store (store/types.ts) in PostgreSQL, shared by replicas (issue 26): `store:
 * postgres://user:${PASSWORD}@host/db?sslmode=verify-full`, through Bun's built-in client (no
 * dependency; TLS from the URL's sslmode, LISTEN/NOTIFY for topics across replicas). Each replica names
 * itself by its component address, which stamps the outbox rows it claims (postgres/outbox.ts).
 */
import { SQL } from "bun";
import type { Store } from "../types.ts";
import { postgresBlobs } from "./blobs.ts";
import { postgresFiles, postgresTopics } from "./caches.ts";
import { postgresFanout } from "./fanout.ts";
import { postgresJobs } from "./jobs.ts";
import { migratePostgres } from "./migrations.ts";
import { CLAIM_LEASE_MS, postgresDeadLetters, postgresOutbox } from "./outbox.ts";
import { postgresGrace, postgresKeyed, postgresThreads } from "./values.ts";

export interface PostgresOptions {
  /** This replica's component address: what its claims on outbox rows say. */
  replica: string;
  /** Connections in the pool. */
  max?: number;
  /** How long an unrenewed claim keeps other replicas off the rows (outbox.claim_lease_s; CLAIM_LEASE_MS by default). */
  leaseMs?: number;
}

export async function postgresStore(url: string, options: PostgresOptions): Promise<Store> {
  const sql = new SQL(url, { max: options.max ?? 10, idleTimeout: 60 });
  try {
    await migratePostgres(sql);
    const [row] = await sql`SELECT (SELECT count(*) FROM outbox)::int AS size, (SELECT count(*) FROM dead_letter)::int AS dead`;
    const counts = { size: Number(row.size), dead: Number(row.dead) };
    return {
      kind: "postgres",
      outbox: postgresOutbox(sql, { replica: options.replica, leaseMs: options.leaseMs ?? CLAIM_LEASE_MS }, counts),
      dead: postgresDeadLetters(sql),
      keyed: postgresKeyed(sql),
      threads: postgresThreads(sql),
      topics: postgresTopics(sql),
      files: postgresFiles(sql),
      blobs: postgresBlobs(sql),
      grace: postgresGrace(sql),
      jobs: postgresJobs(sql, options.replica),
      fanout: postgresFanout(sql),
      probe: async () =>
        void (await sql`INSERT INTO store_probe (id, at) VALUES (1, ${Date.now()}) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at`),
      close: () => sql.close(),
    };
  } catch (err) {
    await sql.close();
    throw err;
  }
}
