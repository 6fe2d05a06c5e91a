// `store:` names a SQLite file or a PostgreSQL URL (issue 26): which one a value is, where it is
// resolved, and that a PostgreSQL store holds files too.
import { describe, expect, test } from "bun:test";
import { formatLines } from "../../../src/config/diagnostics.ts";
import { resolveStorePath } from "../../../src/cli/config-file.ts";
import { loadConfig } from "../../../src/features/index.ts";
import { isPostgresUrl, storeFile } from "../../../src/kit/store-url.ts";
import { BUILTIN_PLUGINS } from "../../../plugins/index.ts";
import { FAKE_HEAD } from "../../helpers/fake-gateway.ts";

const URL = "postgres://stanzagate:pw@db.example:5432/stanzagate?sslmode=verify-full";

describe("store: a PostgreSQL URL", () => {
  test("is told from a file by its scheme, and kept as written where a file would be resolved beside the config", () => {
    expect([isPostgresUrl(URL), isPostgresUrl("postgresql://h/db"), isPostgresUrl("./postgres.db")]).toEqual([true, true, false]);
    expect(resolveStorePath("/etc/stanzagate/routes.yaml", URL)).toBe(URL);
    expect(resolveStorePath("/etc/stanzagate/routes.yaml", "s.db")).toBe("/etc/stanzagate/s.db");
    expect([storeFile(URL), storeFile("/var/lib/s.db")]).toEqual([undefined, "/var/lib/s.db"]);
  });

  test("with http.public_url is accepted: the files' bytes are kept in PostgreSQL, which every replica reads", () => {
    const head = FAKE_HEAD.replace('store: ":memory:"', `store: "${URL}"`);
    const yaml = `${head}http:\n  public_url: https://gw.example/\nroutes:\n  - path: /a\n    send: <message to="ops@localhost"><body>x</body></message>\n`;
    const result = loadConfig(yaml, {}, BUILTIN_PLUGINS);
    expect(result.ok ? [] : formatLines("routes.yaml", result.diagnostics)).toEqual([]);
  });
});
