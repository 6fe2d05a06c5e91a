// A PostgreSQL `store:` URL against a real server (issue 26 review, findings 19, 14, 10): every
// connection names its gateway; a generated password with `@ : / ? # %` in a `${VAR}` works as
// it is; `store copy --force` refuses a target gateways are connected to, then works once they left
// (its files line says what it found, finding 12).
import { describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BUILTIN_PLUGINS } from "../../../plugins/index.ts";
import { loadConfig } from "../../../src/features/index.ts";
import { openStoreAt } from "../../../src/store/location.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";
import { fillOtherTables, storeCopy } from "../../helpers/store-copy.ts";

const databases = usePostgresDatabases("store_url");
const GENERATED = "p@ss:w/rd%2F#x?y";
const sessions = async (url: string): Promise<Array<{ name: string; n: number }>> => {
  // One connection: a pool's others would show up unnamed.
  const admin = new SQL(url, { max: 1 });
  try {
    return await admin`SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1 ORDER BY 1`;
  } finally {
    await admin.close();
  }
};

describe("a PostgreSQL store URL", () => {
  test("connections carry application_name=stanzagate <component>, unless the URL names one", async () => {
    const url = await databases.fresh();
    const store = await openStoreAt(url, "r0.localhost");
    const own = await openStoreAt(`${url}?application_name=mine`, "r1.localhost");
    try {
      await Promise.all([store.probe(), own.probe()]);
      expect((await sessions(url)).map((s) => s.name)).toEqual(["mine", "stanzagate r0.localhost"]);
    } finally {
      await Promise.all([store.close(), own.close()]);
    }
  });

  test("a ${VAR} password with @ : / ? # % opens the store as it is in the variable", async () => {
    const url = await databases.fresh();
    const admin = new SQL(url);
    await admin.unsafe(`CREATE ROLE sp LOGIN PASSWORD '${GENERATED}'`);
    await admin.unsafe("ALTER SCHEMA public OWNER TO sp");
    await admin.close();
    const database = new URL(url).pathname;
    const store = `postgres://sp:\${SPPW}@127.0.0.1:${databases.server().port}${database}?sslmode=disable`;
    const head = `xmpp: { server: "xmpp://127.0.0.1:5347", component: gw.localhost, secret: s, host: localhost }\n`;
    const loaded = loadConfig(`${head}store: ${store}\n`, { SPPW: GENERATED }, BUILTIN_PLUGINS);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    const opened = await openStoreAt(loaded.config.store, "gw.localhost");
    await opened.probe();
    await opened.close();
    const file = join(mkdtempSync(join(tmpdir(), "sg-store-url-")), "stanzagate.db");
    await fillOtherTables(file, "gw.localhost");
    const copied = await storeCopy(["--from", file, "--to", store], { SPPW: GENERATED });
    expect({ code: copied.code, err: copied.err }).toEqual({ code: 0, err: "" });
    expect(copied.out).toContain(`into postgres://sp:***@127.0.0.1:${databases.server().port}${database}?sslmode=disable`);
  });
});

describe("store copy --force", () => {
  test("refused while a gateway is connected to the target, which keeps its rows; done once it stopped", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "sg-store-url-")), "stanzagate.db");
    await fillOtherTables(file, "gw.localhost");
    const target = await databases.fresh();
    const gateway = await openStoreAt(target, "r0.localhost");
    const queued = await gateway.outbox.push('<message to="bob@localhost"><body>queued while copying</body></message>');
    const refused = await storeCopy(["--from", file, "--to", target, "--force"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("store copy refused: gateways are connected to the target: stanzagate r0.localhost (");
    expect(refused.err).toContain("stop them first (SIGTERM), or copy into an empty database");
    const rows = new SQL(target);
    expect(await rows`SELECT seq::int FROM outbox`).toEqual([{ seq: queued }]);
    await rows.close();

    await gateway.close();
    const forced = await storeCopy(["--from", file, "--to", target, "--force"]);
    expect({ code: forced.code, err: forced.err }).toEqual({ code: 0, err: "" });
    expect(forced.out).toContain("--force: replaced what the target held (outbox 1)");
    // finding 12: no files/ folder beside the source, and the blob its row names is nowhere.
    expect(forced.out).toContain(`files: no folder ${join(dirname(file), "files")}; 1 named by a row is neither there nor in PostgreSQL`);
  });
});
