// `stanzagate store copy` (issue 26 §5): an installation moves from its SQLite file to the
// PostgreSQL store replicas share without losing a row. The source is real: a gateway whose XMPP
// server cannot be reached queues its messages in the outbox, the store's API fills every other
// table; the real CLI copies it; PostgreSQL then holds the same rows, and a gateway started on
// it delivers the queued messages to a client, in order. Refusals: a gateway still running on the
// source, a target that already holds rows, a URL that is not one, a server that cannot be reached.
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { createGateway } from "../../../src/app.ts";
import { silentLogger } from "../../../src/log.ts";
import { migrate } from "../../../src/store/db.ts";
import { SQLITE_SCHEMA_VERSION } from "../../../src/store/sqlite/migrations.ts";
import { freePort } from "../../../testbed/ports.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { isMessageWithBody } from "../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { configHead, loadTestConfig, startGateway } from "../../helpers/gateway.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";
import { testServers } from "../../helpers/servers.ts";
import { bothSides, fillOtherTables, sqliteTables, storeCopy, summaryCounts } from "../../helpers/store-copy.ts";

const ROUTES = `
routes:
  - path: /say
    body: { n: integer }
    send: <message to="bob@localhost" type="chat"><body>message {{ body.n }}</body></message>
`;
const QUEUED = 5;
const say = (n: number) =>
  new Request("http://127.0.0.1/say", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n }) });

const databases = usePostgresDatabases("store_copy");
const sqliteFile = () => join(mkdtempSync(join(tmpdir(), "sg-store-copy-")), "stanzagate.db");

for (const server of testServers()) {
  describe(`store copy, then a gateway on PostgreSQL (${server.name})`, () => {
    const bed = useTestBed(server, { clients: ["bob"] });

    test("every table arrives (outbox in order with its seq, serials past the copied), and the queued messages are delivered", async () => {
      const file = sqliteFile();
      const target = await databases.fresh();
      // A gateway whose XMPP server cannot be reached (port 1): each message waits in the outbox.
      const head = configHead(bed.server, file).replace(/server: xmpp:\/\/\S+/, "server: xmpp://127.0.0.1:1");
      const offline = await createGateway(loadTestConfig(head + ROUTES), { log: silentLogger });
      for (let n = 1; n <= QUEUED; n++) expect((await offline.handle(say(n))).status).toBe(202);

      const running = await storeCopy(["--from", `sqlite:${file}`, "--to", target]);
      expect(running.code).toBe(1);
      expect(running.err).toContain(`is open in pid ${process.pid}`);
      expect(running.err).toContain(
        "stop the gateway first (SIGTERM: it finishes what it handles and leaves the queued rows in the outbox)",
      );

      await offline.stop({ flushTimeoutMs: 0 });
      await fillOtherTables(file, bed.server.componentDomain);
      const pg = databases.server();
      const copied = await storeCopy(["--from", `sqlite:${file}`, "--to", target.replace(pg.password, "${SG_PG_PASSWORD}")], {
        SG_PG_PASSWORD: pg.password,
      });
      expect({ code: copied.code, err: copied.err }).toEqual({ code: 0, err: "" });
      expect(copied.out).not.toContain(pg.password);

      const db = new Database(file, { readonly: true });
      const rows = new SQL(target);
      try {
        const tables = sqliteTables(db);
        const summary = summaryCounts(copied.out);
        expect([...summary.keys()].sort()).toEqual(tables);
        for (const table of tables) {
          const { sqlite, postgres } = await bothSides(db, rows, table);
          expect(sqlite.length).toBeGreaterThan(0);
          expect({ table, rows: postgres }).toEqual({ table, rows: sqlite });
          expect(summary.get(table)).toBe(sqlite.length);
        }
        // The order of `correct:` threads (which is forgotten first) and the outbox's next seq (past the dead letter's).
        const slots = db.query<{ slot: string }, []>("SELECT slot FROM correct_threads ORDER BY rowid").all();
        expect(await rows`SELECT slot FROM correct_threads ORDER BY n`).toEqual(slots);
        expect(copied.out).toContain(`the outbox's next seq: ${QUEUED + 2}`);
        expect(await rows`SELECT last_value::int AS seq FROM outbox_seq_seq`).toEqual([{ seq: QUEUED + 1 }]);
        expect(await rows`SELECT DISTINCT queued_by FROM outbox`).toEqual([{ queued_by: bed.server.componentDomain }]);

        bed.gw = await startGateway(bed.server, { routes: ROUTES, store: target });
        const delivered = await bed.bob.collect(isMessageWithBody, QUEUED, 15_000);
        expect(delivered.map((m) => m.getChildText("body"))).toEqual([1, 2, 3, 4, 5].map((n) => `message ${n}`));
        await waitEmpty(rows);
      } finally {
        db.close();
        await rows.close();
      }
    });
  });
}

async function waitEmpty(rows: SQL): Promise<void> {
  await waitFor(async () => (await rows`SELECT count(*)::int AS n FROM outbox`)[0].n === 0, 15_000, "the copied outbox to be sent");
}

describe("store copy refuses, and says why", () => {
  test("a target that already holds rows: refused and left as it was; --force replaces them", async () => {
    const file = sqliteFile();
    await fillOtherTables(file, "gw.localhost");
    const target = await databases.fresh();
    expect((await storeCopy(["--from", file, "--to", target])).code).toBe(0);

    const again = await storeCopy(["--from", file, "--to", target]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("store copy refused: the target already holds rows (dead_letter 1, auth_grace 1, plugin_data 1");
    expect(again.err).toContain("copy into an empty database (CREATE DATABASE), or give --force to replace them (they are lost)");
    const rows = new SQL(target);
    expect(await rows`SELECT count(*)::int AS n FROM correct_threads`).toEqual([{ n: 2 }]);
    await rows.close();

    const forced = await storeCopy(["--from", file, "--to", target, "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain("--force: replaced what the target held (dead_letter 1, auth_grace 1, plugin_data 1");
    expect(summaryCounts(forced.out).get("correct_threads")).toBe(2);
  });

  test("a URL that is not one, an unset variable, a server that cannot be reached: exit 1, the password never shown", async () => {
    const file = sqliteFile();
    await fillOtherTables(file, "gw.localhost");
    const closed = await freePort();
    const cases: Array<[string, Record<string, string>, string]> = [
      ["mysql://app:s3cret@db/stanzagate", {}, "--to needs the PostgreSQL store's URL, postgres://user:password@host:5432/database"],
      ["postgres://app:${DB_PASSWORD}@db/stanzagate", {}, "--to: the environment variable DB_PASSWORD is not set"],
      ["postgres://app:s3cret@db:port/stanzagate", {}, "--to: postgres://app:***@db:port/stanzagate is not a URL"],
      ["postgres:///stanzagate?sslmode=require", {}, "--to: postgres:///stanzagate?sslmode=require names no host"],
      [
        `postgres://app:\${DB_PASSWORD}@127.0.0.1:${closed}/stanzagate`,
        { DB_PASSWORD: "s3cret" },
        `store copy failed, nothing was copied into postgres://app:***@127.0.0.1:${closed}/stanzagate: cannot reach it`,
      ],
    ];
    for (const [to, env, message] of cases) {
      const run = await storeCopy(["--from", file, "--to", to], env);
      expect({ to, code: run.code, out: run.out }).toEqual({ to, code: 1, out: "" });
      expect(run.err).toContain(message);
      expect(run.err).not.toContain("s3cret");
    }
  });

  test("a source at an older schema, named by the config's store: (relative to it), is migrated, then copied", async () => {
    const file = sqliteFile();
    const old = new Database(file, { create: true, strict: true });
    migrate(old, 9); // before the files' index and the topics' cache
    old.run("INSERT INTO outbox (stanza, queued_at) VALUES (?, ?)", [
      '<message from="gw.localhost" to="bob@localhost"><body>old</body></message>',
      1,
    ]);
    old.close();
    const target = await databases.fresh();
    // The installation's routes.yaml, whose store: gives --from; the secret is not needed to copy.
    const config = join(dirname(file), "routes.yaml");
    writeFileSync(
      config,
      `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: "\${STANZAGATE_SECRET}", host: localhost }
store: ${basename(file)}
routes:
  - path: /say
    send: <message to="bob@localhost"><body>hi</body></message>
`,
    );

    const run = await storeCopy(["--config", config, "--to", target]);
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: "" });
    expect(run.out).toContain(`migrated ${file} from schema 9 to ${SQLITE_SCHEMA_VERSION} first`);
    expect(summaryCounts(run.out)).toMatchObject(
      new Map([
        ["outbox", 1],
        ["files", 0],
        ["topic_events", 0],
      ]),
    );
    const rows = new SQL(target);
    expect(await rows`SELECT seq::int, stanza FROM outbox`).toEqual([
      { seq: 1, stanza: '<message from="gw.localhost" to="bob@localhost"><body>old</body></message>' },
    ]);
    await rows.close();
  });
});
