// The test bed's PostgreSQL for one test file (started before its tests, stopped after), and a
// fresh empty database on it whenever a test asks: no test sees another's rows.
import { afterAll, beforeAll } from "bun:test";
import { SQL } from "bun";
import { type Postgres, startPostgres } from "../../testbed/postgres.ts";

export interface PostgresDatabases {
  /** The server (halt/start/kill for fault tests); set once the file's tests run. */
  server(): Postgres;
  /** A new empty database, its URL. */
  fresh(): Promise<string>;
}

export function usePostgresDatabases(prefix: string): PostgresDatabases {
  let pg: Postgres | undefined;
  let admin: SQL | undefined;
  let count = 0;
  beforeAll(async () => {
    pg = await startPostgres();
    admin = new SQL(pg.url);
  });
  afterAll(async () => {
    await admin?.close();
    await pg?.stop();
  });
  const server = () => {
    if (!pg) throw new Error("the test bed's PostgreSQL is not started (use it inside a test)");
    return pg;
  };
  return {
    server,
    async fresh() {
      const name = `${prefix}_${++count}`;
      await admin?.unsafe(`CREATE DATABASE ${name}`);
      return server().url.replace(/\/stanzagate$/, `/${name}`);
    },
  };
}
