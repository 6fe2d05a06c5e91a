// Proves the PostgreSQL of the test bed (issue 26 §4): a cluster of its own, reached with Bun's
// built-in client over TCP with the password, surviving a restart and a SIGKILL with its rows.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { existsSync } from "node:fs";
import { type Postgres, startPostgres } from "../../../testbed/postgres.ts";

describe("the test bed's PostgreSQL", () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  /** One short session: what a replica would see after connecting afresh. */
  async function session<T>(fn: (sql: SQL) => Promise<T>): Promise<T> {
    const sql = new SQL(pg.url);
    try {
      return await fn(sql);
    } finally {
      await sql.close();
    }
  }

  test("answers on its own loopback port, with the password, not the system's 5432", async () => {
    expect(pg.url).toBe(`postgres://stanzagate:${pg.password}@127.0.0.1:${pg.port}/stanzagate`);
    expect(pg.port).not.toBe(5432);
    const [row] = await session((sql) => sql`SELECT current_user AS who, current_database() AS db, version() AS v`);
    expect(row).toMatchObject({ who: "stanzagate", db: "stanzagate" });
    expect(String(row.v)).toStartWith("PostgreSQL 15");
    expect(existsSync(`${pg.socketDir}/.s.PGSQL.${pg.port}`)).toBe(true);
  });

  test("refuses a wrong password", async () => {
    const wrong = pg.url.replace(pg.password, `${pg.password}x`);
    const sql = new SQL(wrong);
    await expect(sql`SELECT 1`).rejects.toThrow(/password/i);
    await sql.close();
  });

  test("keeps a committed row across a restart and a SIGKILL", async () => {
    await session((sql) => sql`CREATE TABLE kept (n integer)`.then(() => sql`INSERT INTO kept VALUES (1)`));
    await pg.restart();
    await session((sql) => sql`INSERT INTO kept VALUES (2)`);
    await pg.kill();
    await pg.start();
    const rows = await session((sql) => sql`SELECT n FROM kept ORDER BY n`);
    expect(rows.map((r: { n: number }) => r.n)).toEqual([1, 2]);
  });
});
