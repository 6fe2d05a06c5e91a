// `stanzagate store copy`'s parts that need no PostgreSQL: the command line, where each side is
// (`${VAR}`, sqlite: prefix, the config's store:), the SQLite source's refusals (a newer schema,
// not a store, a table it does not know, a process holding the file) and its snapshot's check for
// writes made during the copy. test/integration/store/store-copy.test.ts copies for real.
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "../../../src/cli/args.ts";
import { storeCopyCommand } from "../../../src/cli/store-copy.ts";
import { filesLine } from "../../../src/cli/store-copy-blobs.ts";
import { copyLocations } from "../../../src/cli/store-locations.ts";
import { maskStoreUrl as redacted } from "../../../src/kit/store-url.ts";
import { fileHolders } from "../../../src/kit/file-holders.ts";
import { CopyRefused, openSource } from "../../../src/store/copy/source.ts";
import { COPIED_TABLES } from "../../../src/store/copy/tables.ts";
import { openStore } from "../../../src/store/db.ts";
import { senderDomain } from "../../../src/store/postgres/outbox.ts";
import { SQLITE_SCHEMA_VERSION } from "../../../src/store/sqlite/migrations.ts";
import { waitFor } from "../../../testbed/timeouts.ts";

const storeFile = (): string => {
  const file = join(mkdtempSync(join(tmpdir(), "sg-copy-unit-")), "stanzagate.db");
  openStore(file).close();
  return file;
};
const PG = "postgres://app:s3cret@db.example.com:5432/stanzagate?sslmode=verify-full";

describe("the command line", () => {
  test("store copy --from --to --force", () => {
    expect(parseArgs(["store", "copy", "--from", "sqlite:./s.db", "--to", PG, "--force"])).toMatchObject({
      command: "store-copy",
      storeCopy: { from: "sqlite:./s.db", to: PG, force: true },
    });
    expect(parseArgs(["store", "--from", "x"])).toEqual({ error: "store needs copy (store copy --from sqlite:PATH --to postgres://...)" });
    expect(parseArgs(["store", "copy", "--to"])).toEqual({ error: "--to needs a value" });
  });
});

describe("where the copy reads and writes", () => {
  test("sqlite:PATH or PATH; ${VAR} and ${VAR:-fallback} from the environment, as in routes.yaml", () => {
    const to = "postgres://app:${PW}@${DB_HOST:-db.example.com}/stanzagate";
    expect(copyLocations({ from: "sqlite:./s.db", to, force: false }, { PW: "s3cret" }, undefined)).toEqual({
      from: "./s.db",
      to: "postgres://app:s3cret@db.example.com/stanzagate",
    });
    expect(copyLocations({ from: "sqlite:///var/lib/s.db", to: PG, force: false }, {}, undefined)).toEqual({
      from: "/var/lib/s.db",
      to: PG,
    });
    expect(copyLocations({ from: "/var/lib/s.db", to: PG, force: false }, {}, undefined)).toEqual({ from: "/var/lib/s.db", to: PG });
  });

  test("a side left out is the config's store: of that kind", () => {
    expect(copyLocations({ to: PG, force: false }, {}, "/etc/stanzagate/s.db")).toEqual({ from: "/etc/stanzagate/s.db", to: PG });
    expect(copyLocations({ from: "s.db", force: false }, {}, PG)).toEqual({ from: "s.db", to: PG });
    expect(copyLocations({ from: "s.db", force: false }, {}, "/etc/stanzagate/s.db")).toEqual({
      error:
        "store copy needs --from sqlite:PATH and --to postgres://user:password@host:5432/database?sslmode=verify-full (the config's store: may give one of them)",
    });
  });

  test("refusals name the option and never show the password", () => {
    const refusal = (from: string, to: string) => (copyLocations({ from, to, force: false }, {}, undefined) as { error: string }).error;
    expect(refusal("s.db", "postgres://app:${PW}@db/x")).toBe("--to: the environment variable PW is not set");
    expect(refusal("${DIR}/s.db", PG)).toBe("--from: the environment variable DIR is not set");
    expect(refusal(PG, PG)).toBe(
      "--from is the SQLite store to copy (sqlite:PATH or PATH), not postgres://app:***@db.example.com:5432/stanzagate?sslmode=verify-full",
    );
    expect(refusal(":memory:", PG)).toBe("--from needs the path of the SQLite store file (the store: of its routes.yaml)");
    expect(refusal("s.db", "https://app:s3cret@db/x")).toStartWith("--to needs the PostgreSQL store's URL, postgres://");
    expect(refusal("s.db", "postgres://db:port/x")).toStartWith("--to: postgres://db:port/x is not a URL");
    expect(refusal("s.db", "postgres:///x")).toStartWith("--to: postgres:///x names no host");
    expect(refusal("s.db", "postgres://app:s3cret@db:port/x")).not.toContain("s3cret");
    expect(redacted(PG)).toBe("postgres://app:***@db.example.com:5432/stanzagate?sslmode=verify-full");
    expect(redacted("postgres:///x?host=/run/postgresql")).toBe("postgres:///x?host=/run/postgresql");
  });
});

describe("the SQLite source", () => {
  const refusal = (path: string): string => {
    try {
      openSource(path).close();
      return "opened";
    } catch (err) {
      return err instanceof CopyRefused ? err.message : `not a refusal: ${String(err)}`;
    }
  };

  test("no file, not a database, not a Stanzagate store, a newer schema, a table it does not know: refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-copy-src-"));
    expect(refusal(join(dir, "none.db"))).toBe(`no SQLite store at ${join(dir, "none.db")}`);
    writeFileSync(join(dir, "text.db"), "not sqlite at all, but long enough to have a header".repeat(4));
    expect(refusal(join(dir, "text.db"))).toBe(`${join(dir, "text.db")} cannot be read as a SQLite store: file is not a database`);
    new Database(join(dir, "other.db"), { create: true }).run("CREATE TABLE t (x)");
    expect(refusal(join(dir, "other.db"))).toBe(`${join(dir, "other.db")} is not a Stanzagate store (its schema version is 0)`);
    const newer = storeFile();
    new Database(newer).run(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    expect(refusal(newer)).toBe(
      `${newer} was written by a newer Stanzagate (schema ${SQLITE_SCHEMA_VERSION + 1}; this one knows up to ${SQLITE_SCHEMA_VERSION}): copy it with that version`,
    );
    const legacy = storeFile();
    new Database(legacy).run("CREATE TABLE post_msg_seen (jid TEXT)");
    expect(refusal(legacy)).toStartWith(
      `${legacy} holds tables this copy does not know: post_msg_seen (a plugin's from before its keyed values`,
    );
  });

  test("every table the migrations make is copied or said to be left behind", () => {
    const db = openStore(":memory:");
    const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(refusal(storeFile())).toBe("opened");
    expect(COPIED_TABLES.map((t) => t.name).sort()).toEqual(
      tables
        .map((t) => t.name)
        .filter((name) => name !== "store_probe" && name !== "sqlite_sequence")
        .sort(),
    );
  });

  test("a write committed after the snapshot began is seen (the copy is then rolled back); none, none seen", () => {
    const file = storeFile();
    const quiet = openSource(file);
    expect(quiet.counts.get("outbox")).toBe(0);
    expect(quiet.changedSince()).toBe(false);
    quiet.close();
    const source = openSource(file);
    const writer = new Database(file);
    writer.run("INSERT INTO outbox (stanza, queued_at) VALUES ('<message/>', 1)");
    writer.close();
    expect([...source.pages(COPIED_TABLES[0] as (typeof COPIED_TABLES)[number])]).toEqual([]);
    expect(source.changedSince()).toBe(true);
    source.close();
  });

  test("a process holding the file open is named, and the copy refused with the fix", async () => {
    const file = storeFile();
    expect(fileHolders(file)).toEqual([]);
    const holder = Bun.spawn(["sh", "-c", `exec 3<"$0"; exec sleep 60`, file], { stdin: "ignore" });
    try {
      await waitFor(() => fileHolders(file).some((h) => h.pid === holder.pid), 5_000, "sleep to hold the file");
      expect(refusal(file)).toBe(
        `${file} is open in pid ${holder.pid} (sleep 60): rows it writes during the copy would be missed; ` +
          "stop the gateway first (SIGTERM: it finishes what it handles and leaves the queued rows in the outbox), then copy again",
      );
    } finally {
      holder.kill();
      await holder.exited;
    }
  });

  test("the command refuses a bad source before reaching for the target (exit 1, one line)", async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(`out: ${l}`), err: (l: string) => lines.push(`err: ${l}`) };
    const code = await storeCopyCommand(
      { from: "/nonexistent/s.db", to: "postgres://app@127.0.0.1:1/x", force: false },
      {},
      async () => undefined,
      io,
    );
    expect({ code, lines }).toEqual({ code: 1, lines: ["err: store copy refused: no SQLite store at /nonexistent/s.db"] });
  });
});

describe("which replica queued a copied row", () => {
  test("the domain of the stanza's from: the component, a bot of it, none", () => {
    expect(senderDomain('<message to="bob@localhost" from="gw.localhost" type="chat"><body/></message>')).toBe("gw.localhost");
    expect(senderDomain('<message from="bot@gw.localhost/r" to="bob@localhost"/>')).toBe("gw.localhost");
    expect(senderDomain('<message to="bob@localhost"/>')).toBeNull();
  });
});

describe("the summary's files line (review 26, finding 12)", () => {
  const dir = "/var/lib/stanzagate/files";
  test("the folder moved away, the bytes already in PostgreSQL: said so, no guess about links", () => {
    expect(filesLine({ dir, found: false, copied: 0, held: 1, missing: 0 })).toBe(
      "files: no folder /var/lib/stanzagate/files; 1 already in PostgreSQL, kept",
    );
  });
  test("copied, kept, and lacking everywhere", () => {
    expect(filesLine({ dir, found: true, copied: 2, held: 1, missing: 1 })).toBe(
      "files: their bytes copied from /var/lib/stanzagate/files into PostgreSQL (2 new); 1 already in PostgreSQL, kept; 1 named by a row is neither there nor in PostgreSQL: their links answer 404",
    );
  });
});
