/**
 * Where the store is, as routes.yaml's `store:` says: a bun:sqlite file (or ":memory:"), or a
 * PostgreSQL URL that replicas share (issue 26): `postgres://user:${PASSWORD}@host:5432/db`, TLS
 * as its `sslmode=` says (Bun's client reads it: disable, prefer, require, verify-ca, verify-full).
 */
import { openStore } from "./db.ts";
import { boundedStore } from "./bounded.ts";
import { postgresStore } from "./postgres/index.ts";
import { sqliteStore } from "./sqlite/index.ts";
import { APPLICATION_PREFIX, isPostgresUrl, maskStoreUrl, withApplicationName } from "../kit/store-url.ts";
import type { Store } from "./types.ts";

/**
 * Opens and migrates the store; `replica` (the component address) stamps the outbox rows it
 * claims, which others take over once its claims go `leaseMs` unrenewed (PostgreSQL only).
 */
export async function openStoreAt(store: string, replica: string, leaseMs?: number): Promise<Store> {
  // A database on another host can stop answering; a SQLite file answers or throws at once.
  if (isPostgresUrl(store)) return boundedStore(await openPostgres(store, replica, leaseMs));
  return sqliteStore(openStore(store));
}

/**
 * Each connection says which gateway holds it (`application_name`, unless the URL sets one), so
 * pg_stat_activity tells replicas apart and `store copy --force` sees a store in use. A failure
 * names the store (its password masked): the driver's words alone name no host.
 */
async function openPostgres(store: string, replica: string, leaseMs?: number): Promise<Store> {
  try {
    return await postgresStore(withApplicationName(store, `${APPLICATION_PREFIX} ${replica}`), { replica, leaseMs });
  } catch (err) {
    throw new Error(`the store ${maskStoreUrl(store)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
