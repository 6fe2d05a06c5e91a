// A PostgreSQL `store:` URL as the gateway reads, checks and shows it (issue 26 review, findings
// 13, 14, 11, 15, 19): a password never shown, not even in part; a `${VAR}` password with the
// characters generators produce works as it is; `check` says what is wrong with file:line:col
// before the driver would; every connection names its gateway to pg_stat_activity.
import { describe, expect, test } from "bun:test";
import { BUILTIN_PLUGINS } from "../../../plugins/index.ts";
import { copyLocations } from "../../../src/cli/store-locations.ts";
import { formatDiagnostics } from "../../../src/config/diagnostics.ts";
import { loadConfig } from "../../../src/features/index.ts";
import { maskStoreUrl, withApplicationName } from "../../../src/kit/store-url.ts";

const GENERATED = "p@ss:w/rd%2F#x?y";
const HEAD = `xmpp: { server: "xmpp://127.0.0.1:5347", component: gw.localhost, secret: s, host: localhost }\n`;
const load = (store: string, env: Record<string, string> = {}) => loadConfig(`${HEAD}store: ${store}\n`, env, BUILTIN_PLUGINS);
const checked = (store: string, env: Record<string, string> = {}): string => {
  const result = load(store, env);
  return result.ok ? "ok" : formatDiagnostics("routes.yaml", result.diagnostics);
};

describe("a store URL shown in a message (finding 13)", () => {
  test("the whole password is masked, up to the last @ before the host", () => {
    const raw = `postgres://sp:${GENERATED}@127.0.0.1:35133/spdb`;
    expect(maskStoreUrl(raw)).toBe("postgres://sp:***@127.0.0.1:35133/spdb");
    expect(maskStoreUrl("postgres://app:s3cret@db:5432/x?sslmode=disable")).toBe("postgres://app:***@db:5432/x?sslmode=disable");
    expect(maskStoreUrl("postgres://app@db/x")).toBe("postgres://app@db/x");
    expect(maskStoreUrl("postgres:///x?host=/run/postgresql")).toBe("postgres:///x?host=/run/postgresql");
  });

  test("store copy's refusal of a URL with a raw password shows none of it", () => {
    const to = `postgres://sp:${GENERATED}@127.0.0.1:35133/spdb`;
    const refusal = copyLocations({ from: "s.db", to, force: false }, {}, undefined);
    expect("error" in refusal && refusal.error).toStartWith("--to: postgres://sp:***@127.0.0.1:35133/spdb is not a URL");
    for (const part of ["ss:w", "rd%2F", "x?y"]) expect(JSON.stringify(refusal)).not.toContain(part);
  });
});

describe("a ${VAR} password in the URL's userinfo is percent-encoded (finding 14)", () => {
  test("store: in routes.yaml", () => {
    const result = load("postgres://sp:${SPPW}@127.0.0.1:35133/spdb?sslmode=disable", { SPPW: GENERATED });
    expect(result.ok && result.config.store).toBe("postgres://sp:p%40ss%3Aw%2Frd%252F%23x%3Fy@127.0.0.1:35133/spdb?sslmode=disable");
    expect(result.ok && new URL(result.config.store).password).toBe(encodeURIComponent(GENERATED));
    expect(decodeURIComponent(result.ok ? new URL(result.config.store).password : "")).toBe(GENERATED);
  });

  test("only in the userinfo: a variable naming the host or the database is not encoded", () => {
    const result = load("postgres://${DBUSER}:${PW}@${DBHOST:-db}/${DBNAME}", { DBUSER: "a@b", PW: "x/y", DBNAME: "s_1" });
    expect(result.ok && result.config.store).toBe("postgres://a%40b:x%2Fy@db/s_1");
  });

  test("store copy --to", () => {
    const to = "postgres://sp:${SPPW}@127.0.0.1:35133/spdb";
    expect(copyLocations({ from: "s.db", to, force: false }, { SPPW: "abc/def" }, undefined)).toEqual({
      from: "s.db",
      to: "postgres://sp:abc%2Fdef@127.0.0.1:35133/spdb",
    });
  });
});

describe("check reads store: (findings 11 and 15)", () => {
  const PG = "postgres://app:pw@127.0.0.1:5432";
  test.each([
    [`${PG}/stanzagate?sslmode=bogus`, "sslmode=bogus is not one of disable, allow, prefer, require, verify-ca, verify-full"],
    ["postgres://app:pw@127.0.0.1:99999/stanzagate", "is not a URL"],
    [PG, "names no database: name it (…/stanzagate)"],
    [`${PG}/`, "names no database"],
    ["mysql://x@y/z", "mysql://x@y/z is neither a file nor a PostgreSQL URL"],
  ])("%s is refused at store:'s line", (store, why) => {
    const out = checked(store);
    expect(out).toContain("routes.yaml:2:8  error  store  ");
    expect(out).toContain(why);
    expect(out).not.toContain(":pw@");
  });

  test.each([
    `${"postgres://app:pw@127.0.0.1:5432"}/stanzagate?sslmode=allow`,
    "./stanzagate.db",
    '":memory:"',
    "postgresql:///s?host=/run/postgresql",
  ])("%s is accepted", (store) => expect(checked(store)).toBe("ok"));
});

describe("application_name (finding 19)", () => {
  test("added unless the URL names one", () => {
    expect(withApplicationName("postgres://a:b@db/s", "stanzagate gw.localhost")).toBe(
      "postgres://a:b@db/s?application_name=stanzagate%20gw.localhost",
    );
    expect(withApplicationName("postgres://a:b@db/s?sslmode=disable", "stanzagate x")).toBe(
      "postgres://a:b@db/s?sslmode=disable&application_name=stanzagate%20x",
    );
    expect(withApplicationName("postgres://db/s?application_name=mine", "stanzagate x")).toBe("postgres://db/s?application_name=mine");
  });
});
